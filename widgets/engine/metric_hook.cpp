#include "metric_hook.h"

#include "core/data/toy_datasets.h"
#include "core/metrics/fid_proxy.h"
#include "core/metrics/sample_metrics.h"

#include <QRegularExpression>

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

QString metricText(const MetricValue& m, int precision)
{
    if (!m.hasValue())
        return m.note;
    auto text = m.name + QLatin1Char(' ') + QString::number(m.value, 'g', precision);
    if (std::isfinite(m.std))
        text += QStringLiteral(" ± ") + QString::number(m.std, 'g', 2);
    if (m.n > 0)
        text += QStringLiteral(" (n=%1)").arg(m.n);
    return text;
}

MetricValue parseMetricText(const QString& text)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^(.*?\S)\s+([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)(?:\s+±\s+([0-9.]+(?:[eE][-+]?[0-9]+)?))?\s+\(n=([0-9]+)\)$)"));
    MetricValue m;
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch()) {
        m.note = text;
        return m;
    }
    m.name = match.captured(1);
    m.value = match.captured(2).toDouble();
    if (match.hasCaptured(3) && !match.captured(3).isEmpty())
        m.std = match.captured(3).toDouble();
    m.n = match.captured(4).toLongLong();
    return m;
}

SampleMetric defaultSampleMetric()
{
    SampleMetric metric;
    metric.compute = [](const at::Tensor& samples, DataRange range, const std::string& dataset) -> std::optional<QString> {
        const auto n = samples.size(0);
        if (isToyDataset(dataset))
            return metricText(MetricValue::of(QStringLiteral("MMD²"), mmdSquared(samples, sampleToy(dataset, kToyReference, 7)), n));
        if ((dataset != "fashion-mnist" && dataset != "fashion-mnist-test") || samples.size(1) != 1 || samples.size(2) != 28)
            return std::nullopt;
        if (n < kMinFidSamples)
            return QStringLiteral("FID proxy needs a batch of ≥ %1").arg(kMinFidSamples);
        if (auto value = fidProxy(samples, range)) // one decimal: "FID proxy 41.2 (n=64)"
            return metricText(MetricValue::of(QStringLiteral("FID proxy"), std::round(*value * 10) / 10, n), 6);
        return std::nullopt;
    };
    return metric;
}

} // namespace ds
