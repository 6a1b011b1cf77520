#include "classifier_training.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "models/classifier.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>

#include <chrono>

namespace ds {
namespace {

double accuracy(FeatureClassifierImpl& net, const Dataset& test)
{
    torch::NoGradGuard noGrad;
    net.eval();
    int64_t correct = 0;
    for (int64_t start = 0; start < test.images.size(0); start += 1000) {
        const auto n = std::min<int64_t>(1000, test.images.size(0) - start);
        auto predicted = net.logits(test.images.narrow(0, start, n)).argmax(1);
        correct += (predicted == test.labels.narrow(0, start, n)).sum().item<int64_t>();
    }
    return double(correct) / double(test.images.size(0));
}

} // namespace

ClassifierTrainingResult trainFeatureClassifier(const ClassifierTrainingConfig& config, const std::string& outPath,
                                                const std::function<void(int64_t, int64_t, double)>& progress,
                                                const StopToken& stop)
{
    require(config.epochs >= 1 && config.batch >= 1 && config.lr > 0, "classifier training: bad config");
    const auto start = std::chrono::steady_clock::now();
    DatasetOptions options;
    options.limit = config.trainLimit;
    auto train = loadDataset("fashion-mnist", options);
    auto test = loadDataset("fashion-mnist-test");
    torch::manual_seed(config.seed); // initial weights
    auto net = std::make_shared<FeatureClassifierImpl>(ClassifierConfig{});
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(config.lr).weight_decay(1e-4));
    auto g = at::make_generator<at::CPUGeneratorImpl>(config.seed);
    const int64_t n = train.images.size(0);
    for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
        net->train();
        auto order = at::randperm(n, g, at::kLong);
        for (int64_t i = 0; i * config.batch < n; ++i) {
            require(!stop.stopRequested(), "classifier training cancelled");
            auto index = order.narrow(0, i * config.batch, std::min(config.batch, n - i * config.batch));
            auto loss = torch::nn::functional::cross_entropy(net->logits(train.images.index_select(0, index)),
                                                             train.labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (progress)
                progress(epoch, i, loss.item<double>());
        }
    }
    ClassifierTrainingResult result;
    result.testAccuracy = accuracy(*net, test);
    result.parameters = net->parameterCount();
    CheckpointHeader header;
    header.kind = "classifier";
    header.network = net->config();
    header.shape = {1, 28, 28};
    header.dataset = "fashion-mnist";
    header.step = config.epochs * ((n + config.batch - 1) / config.batch);
    header.created = utcNow();
    header.trainingState = false;
    header.extra = {{"test_accuracy", result.testAccuracy}, {"epochs", config.epochs}, {"seed", config.seed}};
    saveCheckpoint(outPath, header, CheckpointContents::emaOnly(net.get()));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace ds
