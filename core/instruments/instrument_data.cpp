#include "instrument_data.h"

#include "core/data/dataset.h"
#include "core/denoisers/empirical_denoiser.h"
#include "core/denoisers/gaussian_denoiser.h"
#include "models/error.h"
#include "core/io/image_io.h"
#include "core/io/npy.h"
#include "core/noise_source.h"
#include "core/samplers/start_state.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>

namespace ds {
namespace {

bool knownDataset(const std::string& name)
{
    const auto names = datasetNames();
    return std::find(names.begin(), names.end(), name) != names.end();
}

at::Tensor loadData(const std::string& name, int64_t count, DataRange range)
{
    DatasetOptions options;
    options.limit = count;
    options.range = range;
    return loadDataset(name, options).images;
}

bool hasModelShape(const at::Tensor& x, const DenoiserInfo& info)
{
    return x.dim() == 4 && x.size(1) == info.shape[0] && x.size(2) == info.shape[1] && x.size(3) == info.shape[2];
}

} // namespace

at::Tensor heldOutImages(Denoiser& model, int64_t count, uint64_t seed, const std::string& dataset)
{
    require(count >= 1, "held-out images: need at least one");
    if (auto* gaussian = dynamic_cast<GaussianDenoiser*>(&model)) {
        NoiseSource draws(seed + 1); // not the report's own stream
        const auto& mean = gaussian->mean();
        auto z = draws.normal({count, mean.size(1), mean.size(2), mean.size(3)});
        return mean.cpu() + gaussian->std().cpu() * z;
    }
    return loadData(dataset.empty() ? startDataset(model.info()) : dataset, count, model.info().range);
}

std::unique_ptr<Denoiser> referenceOracle(Denoiser& model, int64_t count, Denoiser*& reference)
{
    reference = nullptr;
    if (dynamic_cast<GaussianDenoiser*>(&model)) {
        reference = &model;
        return nullptr;
    }
    const auto& info = model.info();
    if (!knownDataset(info.dataset) || count < 1)
        return nullptr;
    auto data = loadData(info.dataset, count, info.range);
    if (!hasModelShape(data, info))
        return nullptr;
    auto oracle = std::make_unique<EmpiricalDenoiser>(data, info.schedule, info.range, info.dataset,
                                                      "oracle:" + info.dataset);
    oracle->to(model.device());
    reference = oracle.get();
    return oracle;
}

at::Tensor trainingImages(const DenoiserInfo& info, int64_t count)
{
    if (!knownDataset(info.dataset) || count < 1)
        return {};
    auto data = loadData(info.dataset, count, info.range);
    return hasModelShape(data, info) ? data : at::Tensor();
}

at::Tensor imagesFromFile(const std::string& path, const DenoiserInfo& info)
{
    const auto& s = info.shape;
    const auto ext = std::filesystem::path(path).extension().string();
    at::Tensor x;
    if (ext == ".npy") {
        x = loadNpy(path);
        require(at::isFloatingType(x.scalar_type()), path, ": expected float images");
        if (x.dim() == 3)
            x = x.unsqueeze(0);
    } else {
        ImageLoadOptions options;
        options.range = info.range;
        options.grayscale = s[0] == 1;
        x = loadImage(path, options).unsqueeze(0);
        if (x.size(2) != s[1] || x.size(3) != s[2]) // to the model's size (area average)
            x = at::adaptive_avg_pool2d(x, {s[1], s[2]});
    }
    require(hasModelShape(x, info), path, ": expected images [N, ", s[0], ", ", s[1], ", ", s[2], "] for this model, got ",
            x.sizes());
    return x.to(at::kFloat).contiguous();
}

} // namespace ds
