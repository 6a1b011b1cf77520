#include "metric_hook.h"

#include "core/data/toy_datasets.h"
#include "core/metrics/fid_proxy.h"
#include "core/metrics/sample_metrics.h"

#include <filesystem>
#include <memory>
#include <mutex>

namespace ds {
namespace {

constexpr int64_t kMinFidSamples = 32;
constexpr int64_t kToyReference = 2000;

// One classifier for the process; its test-set statistics are computed on first use.
std::optional<double> fidProxy(const at::Tensor& samples, DataRange range)
{
    static std::mutex mutex;
    static std::unique_ptr<FidProxy> proxy;
    std::lock_guard lock(mutex);
    if (!proxy) {
        if (!std::filesystem::exists(FidProxy::defaultClassifierPath()))
            return std::nullopt;
        proxy = std::make_unique<FidProxy>();
    }
    return proxy->score(samples, range);
}

} // namespace

SampleMetric defaultSampleMetric()
{
    SampleMetric metric;
    metric.compute = [](const at::Tensor& samples, DataRange range, const std::string& dataset) -> std::optional<QString> {
        const auto n = samples.size(0);
        if (isToyDataset(dataset))
            return QStringLiteral("MMD² %1 (n=%2)")
                .arg(mmdSquared(samples, sampleToy(dataset, kToyReference, 7)), 0, 'g', 3)
                .arg(n);
        if ((dataset != "fashion-mnist" && dataset != "fashion-mnist-test") || samples.size(1) != 1 || samples.size(2) != 28)
            return std::nullopt;
        if (n < kMinFidSamples)
            return QStringLiteral("FID proxy needs a batch of ≥ %1").arg(kMinFidSamples);
        if (auto value = fidProxy(samples, range))
            return QStringLiteral("FID proxy %1 (n=%2)").arg(*value, 0, 'f', 1).arg(n);
        return std::nullopt;
    };
    return metric;
}

} // namespace ds
