#include "start_state.h"

#include "core/data/dataset.h"
#include "core/data/toy_datasets.h"
#include "models/error.h"
#include "core/forward_process.h"

#include <ATen/ATen.h>

namespace ds {

std::string startDataset(const DenoiserInfo& info)
{
    if (info.dataset == "fashion-mnist" || info.dataset == "fashion-mnist-test")
        return "fashion-mnist-test";
    require(isToyDataset(info.dataset), info.source + ": the model names no known data set to start from");
    return info.dataset;
}

at::Tensor forwardDiffusedStart(const Denoiser& denoiser, const Sampler& sampler, const std::string& dataset,
                                int64_t offset, int64_t n, NoiseSource& noise)
{
    require(offset >= 0 && n >= 1, "data start: need offset >= 0 and at least one item");
    require(!sampler.grid().empty(), "data start: the sampler has not been set up");
    DatasetOptions options;
    options.limit = offset + n;
    options.range = denoiser.info().range;
    options.seed = 20261127; // toys: fresh points, unlike any training seed
    auto data = loadDataset(dataset, options);
    require(data.images.size(0) >= offset + n, dataset + ": has only " + std::to_string(data.images.size(0)) + " items");
    auto x0 = data.images.narrow(0, offset, n).to(denoiser.device());
    const auto& s = denoiser.info().shape;
    require(x0.size(1) == s[0] && x0.size(2) == s[1] && x0.size(3) == s[2],
            dataset + ": its items do not have the model's shape");
    return diffuse(denoiser.schedule(), x0, sampler.grid().front(), noise.normal(x0.sizes()));
}

} // namespace ds
