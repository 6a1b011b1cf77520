#pragma once
// A quality metric of a pane's samples against the model's data set: the FID proxy for
// Fashion-MNIST, MMD² for the 2D toys (core/metrics). It runs off the UI thread.
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>
#include <QString>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>

namespace ds {

struct SampleMetric {
    QString name = QStringLiteral("FID proxy"); // shown as "<name> —" while there is no value
    // Samples float32 [N, C, H, W] in `range`, and the model's data set; the text to show
    // (e.g. "FID proxy 41.2 (n=64)"), or nullopt when the metric does not apply. Called on a
    // worker thread.
    std::function<std::optional<QString>(const at::Tensor& samples, DataRange range, const std::string& dataset)> compute;
};

// A metric's result as numbers: what the pane shows is metricText(value), and exports read the
// numbers back with parseMetricText (comparison.csv gets metric, value, n, std columns).
struct MetricValue {
    QString name;                                        // "FID proxy", "MMD²"
    double value = std::numeric_limits<double>::quiet_NaN();
    int64_t n = 0;                                       // samples scored (0: unknown)
    double std = std::numeric_limits<double>::quiet_NaN(); // spread, when the metric gives one
    QString note;                                        // text that is not a value ("needs a batch of ≥ 32")
    bool hasValue() const { return std::isfinite(value); }
    static MetricValue of(const QString& name, double value, int64_t n)
    {
        MetricValue m;
        m.name = name, m.value = value, m.n = n;
        return m;
    }
};

// "FID proxy 41.2 (n=64)", "MMD² 0.0123 ± 0.002 (n=512)"; a note alone for a value-less result.
QString metricText(const MetricValue& metric, int precision = 3);
// The inverse of metricText on its own output (a value always comes with its n); other text
// comes back as a note.
MetricValue parseMetricText(const QString& text);

// FID proxy against the Fashion-MNIST test set (only from 32 samples: below that the Gaussian
// fit is meaningless) and MMD² against fresh draws for the 2D toys.
SampleMetric defaultSampleMetric();

} // namespace ds
