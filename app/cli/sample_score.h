#pragma once
// How samples of a model are scored against its data set, for `eval` and `bench-samplers`:
// Fashion-MNIST by the FID proxy against the 10 000 test images, the 2D toys by the sliced
// 2-Wasserstein distance (and MMD²) against fresh draws of the true distribution.
#include "core/data/data_range.h"
#include "core/metrics/fid_proxy.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

namespace ds::cli {

class SampleScore {
public:
    // Throws ds::Error when the data set has no metric (not Fashion-MNIST, not a 2D toy).
    SampleScore(std::string dataset, DataRange range);

    // The one number a table shows: "fid_proxy" or "sliced_wasserstein" (lower is better).
    const char* headlineName() const;
    double headline(const at::Tensor& samples);
    // The headline of real items drawn afresh (training images; new toy draws), as many and
    // shaped as `sizes` [N, C, H, W]: what a perfect sampler would score at this sample size.
    double headlineFloor(at::IntArrayRef sizes);
    // Every metric beside its floor, the score of as many real items drawn afresh: what a
    // perfect sampler would get at this sample size (small-sample bias included).
    nlohmann::json report(const at::Tensor& samples);

private:
    bool isFashion() const { return fid_ != nullptr; }
    at::Tensor toyReference(int64_t n) const;
    at::Tensor realItems(at::IntArrayRef sizes) const;

    std::string dataset_;
    DataRange range_;
    std::unique_ptr<FidProxy> fid_;
};

} // namespace ds::cli
