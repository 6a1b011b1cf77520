#pragma once
// A quality metric of a pane's samples against the model's data set: the FID proxy for
// Fashion-MNIST, MMD² for the 2D toys (core/metrics). It runs off the UI thread.
#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>
#include <QString>

#include <functional>
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

// FID proxy against the Fashion-MNIST test set (only from 32 samples: below that the Gaussian
// fit is meaningless) and MMD² against fresh draws for the 2D toys.
SampleMetric defaultSampleMetric();

} // namespace ds
