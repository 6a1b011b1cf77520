#include "scrubber_columns.h"

#include "widgets/common/tensor_image.h"

#include "core/data/point_cloud_image.h"
#include "core/data/toy_datasets.h"
#include "core/denoisers/denoiser.h"
#include "core/denoisers/denoiser_loader.h"
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "core/metrics/fid_proxy.h"
#include "core/metrics/sample_metrics.h"
#include "core/noise_source.h"
#include "core/samplers/sampler.h"
#include "core/samplers/sampler_registry.h"
#include "core/training/checkpoint_rotation.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>

namespace ds {
namespace {

constexpr int kCellSize = 84; // px of a grid thumbnail: 3× a 28×28 image

bool isPointCloud(const at::Tensor& batch) { return batch.size(1) == 2 && batch.size(2) == 1 && batch.size(3) == 1; }

// A thumbnail: the first sample scaled up for images, the whole cloud drawn at the cell's size
// for 2D points (scaling a larger plot down would lose its dots).
QImage cellImage(const at::Tensor& batch, DataRange range)
{
    if (isPointCloud(batch))
        return imageFromHwc(pointCloudImage(batch, pointCloudExtent(range), kCellSize));
    return batchImage(batch.slice(0, 0, 1), range).scaled(kCellSize, kCellSize, Qt::KeepAspectRatio, Qt::FastTransformation);
}

void addImages(ScrubberColumn& c)
{
    for (int64_t f = 0; f < c.frames.size(0); ++f) {
        const auto batch = c.frames[f];
        c.cells.push_back(cellImage(batch, c.range));
        c.grids.push_back(batchImage(batch, c.range));
    }
}

} // namespace

std::vector<std::pair<int64_t, std::string>> scrubberCheckpoints(const std::string& dir)
{
    require(std::filesystem::is_directory(dir), dir, ": not a folder (choose a run folder with step_*.dsckpt files)");
    std::vector<std::pair<int64_t, std::string>> out;
    for (const auto& path : stepCheckpoints(dir)) {
        try {
            out.emplace_back(readCheckpointHeader(path).step, path);
        } catch (const std::exception&) { // a damaged or half-written file: not a column
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::shared_ptr<ScrubberMetric> ScrubberMetric::forData(const std::string& dataset, const std::array<int64_t, 3>& shape,
                                                        DataRange range)
{
    auto m = std::make_shared<ScrubberMetric>();
    if (isToyDataset(dataset) && shape == std::array<int64_t, 3>{2, 1, 1}) {
        const auto reference = sampleToy(dataset, 2000, 12345).flatten(1);
        m->name_ = QStringLiteral("MMD² to %1").arg(QString::fromStdString(dataset));
        m->score_ = [reference](const at::Tensor& x) { return mmdSquared(x.flatten(1).to(at::kDouble), reference.to(at::kDouble)); };
    } else if (dataset.rfind("fashion-mnist", 0) == 0 && shape == std::array<int64_t, 3>{1, 28, 28}) {
        auto proxy = std::make_shared<FidProxy>(); // throws when the classifier is missing
        proxy->referenceStats();                   // the test set's features, once
        m->name_ = QStringLiteral("FID proxy");
        m->score_ = [proxy, range](const at::Tensor& x) { return proxy->score(x, range); };
    }
    return m;
}

at::Tensor scrubberStart(const std::array<int64_t, 3>& shape, const ScrubberSettings& settings)
{
    NoiseSource noise(settings.seed);
    return noise.normal({settings.samples, shape[0], shape[1], shape[2]});
}

ScrubberColumn computeScrubberColumn(const std::string& checkpoint, int64_t step, const at::Tensor& xT,
                                     const ScrubberSettings& settings, const ScrubberMetric* metric,
                                     const StopToken& stop)
{
    ScrubberColumn c;
    c.path = checkpoint;
    c.step = step;
    try {
        auto denoiser = openDenoiser(checkpoint);
        c.range = denoiser->info().range;
        auto sampler = makeSampler("ddim");
        SamplerOptions options;
        options.steps = std::clamp<int64_t>(settings.steps, 1, denoiser->schedule().steps());
        options.eta = 0.0; // deterministic: x_T fixes the whole path
        NoiseSource noise(settings.seed);
        std::vector<at::Tensor> frames{xT};
        c.t.push_back(denoiser->schedule().steps());
        const auto run = runSampler(*sampler, *denoiser, xT, options, noise, [&](const StepEvent& e) {
            frames.push_back(e.x.to(at::kFloat).cpu());
            c.t.push_back(e.t);
            return true;
        }, &stop);
        if (run.cancelled)
            throw Error("cancelled");
        c.frames = at::stack(frames).contiguous();
        if (metric)
            c.metric = metric->score(c.frames[-1]);
        addImages(c);
    } catch (const std::exception& e) {
        c.error = QString::fromStdString(userMessage(e));
        c.frames = at::Tensor();
        c.cells.clear();
        c.grids.clear();
    }
    return c;
}

} // namespace ds
