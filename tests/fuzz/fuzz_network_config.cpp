// models/registry: a network config (a checkpoint header's "network", a training config's
// "network") turned into modules, as loadCheckpoint does. Every kind's parser, its checks and its
// parameter count run on each input; configs within kBuildBudget are also built, and must hold
// exactly the parameters the config promised; cheap ones then run one forward pass, which must
// not throw (a config the builder accepts but the forward refuses is a missed check).
#include "fuzz_support.h"

#include "models/network.h"
#include "models/registry.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace {

// Networks up to 8e5 parameters are built (the small demo UNets, the diffusers fixture); bigger
// ones stop after the count, which tests/core/models pins against built networks.
constexpr int64_t kBuildBudget = 800000;
// A forward pass when parameters × positions (≈ half its multiply-adds) stays under this: a few ms.
constexpr double kForwardBudget = 1e7;

int64_t jsonInt(const nlohmann::json& j, const char* key, int64_t fallback)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

// The input a denoiser of this config is called with: [1, C, H, W] (MLP: [1, D, 1, 1]); an empty
// tensor where no forward is affordable.
at::Tensor probeInput(const nlohmann::json& config, int64_t parameters)
{
    const auto& kind = config["kind"].get_ref<const std::string&>();
    int64_t channels = 1, side = 1;
    if (kind == "mlp") {
        channels = jsonInt(config, "dims", 2);
    } else if (kind == "diffusers-unet") { // the smallest side every level can halve
        const auto& c = config["config"];
        channels = jsonInt(c, "in_channels", 3);
        side = int64_t(1) << (c.contains("block_out_channels") ? c["block_out_channels"].size() - 1 : 3);
    } else {
        channels = jsonInt(config, "channels", 1);
        side = jsonInt(config, "image_size", 28);
    }
    if (double(parameters) * double(side * side) > kForwardBudget)
        return {};
    return at::randn({1, channels, side, side});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto j = nlohmann::json::parse(ds::fuzz::asText(data, size), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0; // not JSON: the header's parser answers that before the builder runs
    static const bool verbose = std::getenv("DIFFSCOPE_FUZZ_VERBOSE") != nullptr; // say what each input did
    try {
        const int64_t parameters = ds::networkParameterCount(j);
        if (verbose)
            std::fprintf(stderr, "fuzz: %lld parameters\n", static_cast<long long>(parameters));
        ds::fuzz::check(parameters > 0, "a positive parameter count");
        if (parameters > kBuildBudget)
            return 0;
        const auto net = ds::buildNetwork(j);
        ds::fuzz::check(net->parameterCount() == parameters, "the built network has the parameters its config promised");
        ds::fuzz::check(ds::networkParameterCount(net->config()) == parameters, "config() rebuilds the same network");
        const double flops = net->flopsPerSample();
        ds::fuzz::check(std::isfinite(flops) && flops >= 0, "a finite FLOP estimate");
        if (const auto x = probeInput(j, parameters); x.defined()) {
            at::NoGradGuard noGrad;
            net->eval();
            const auto y = net->forward(x, at::full({1}, 7, at::kLong));
            ds::fuzz::check(y.dim() >= 2 && y.size(0) == 1, "one output per sample");
        }
    } catch (const std::invalid_argument& e) { // the models' answer to a bad config (config_check.h)
        ds::fuzz::checkMessage(e.what());
        if (verbose)
            std::fprintf(stderr, "fuzz: refused: %s\n", e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: the network builder let through an exception other than its config error: %s\n",
                     e.what());
        std::abort();
    }
    return 0;
}
