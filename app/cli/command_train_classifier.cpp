// diffscope-cli train-classifier: trains the FID proxy's Fashion-MNIST feature classifier.
#include "cli_common.h"
#include "commands.h"

#include "core/metrics/classifier_training.h"
#include "core/metrics/fid_proxy.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace ds::cli {

void registerTrainClassifierCommand(CLI::App& app)
{
    auto config = std::make_shared<ClassifierTrainingConfig>();
    auto out = std::make_shared<std::string>(FidProxy::defaultClassifierPath());
    auto* cmd = app.add_subcommand("train-classifier", "train the FID proxy's Fashion-MNIST feature classifier");
    cmd->add_option("--epochs", config->epochs, "epochs over the 60 000 training images")->capture_default_str();
    cmd->add_option("--batch", config->batch, "batch size")->capture_default_str();
    cmd->add_option("--lr", config->lr, "AdamW learning rate")->capture_default_str();
    cmd->add_option("--seed", config->seed, "seed")->capture_default_str();
    cmd->add_option("--out", *out, "checkpoint to write")->capture_default_str();
    cmd->callback([config, out] {
        auto result = trainFeatureClassifier(*config, *out, [](int64_t epoch, int64_t step, double loss) {
            if (step % 100 == 0)
                std::cerr << "epoch " << epoch << " step " << step << " loss " << loss << '\n';
        }, interruptToken());
        std::cout << "test accuracy " << result.testAccuracy << " (" << result.parameters << " parameters, "
                  << result.seconds << " s); wrote " << *out << '\n';
    });
}

} // namespace ds::cli
