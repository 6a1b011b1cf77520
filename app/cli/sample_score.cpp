#include "sample_score.h"

#include "core/data/dataset.h"
#include "core/data/toy_datasets.h"
#include "models/error.h"
#include "core/metrics/sample_metrics.h"

#include <nlohmann/json.hpp>

namespace ds::cli {
namespace {

constexpr uint64_t kReferenceSeed = 1234567; // fresh toy draws, unlike any training seed

bool isFashionMnist(const std::string& dataset) { return dataset == "fashion-mnist" || dataset == "fashion-mnist-test"; }

} // namespace

SampleScore::SampleScore(std::string dataset, DataRange range) : dataset_(std::move(dataset)), range_(range)
{
    if (isFashionMnist(dataset_)) {
        fid_ = std::make_unique<FidProxy>();
        return;
    }
    require(isToyDataset(dataset_), "no metric for data set '" + (dataset_.empty() ? std::string("?") : dataset_)
                                        + "' (fashion-mnist or a 2D toy; give --dataset)");
}

const char* SampleScore::headlineName() const { return isFashion() ? "fid_proxy" : "sliced_wasserstein"; }

// At least 2000 reference points, so that small n are not judged against a sparse cloud.
at::Tensor SampleScore::toyReference(int64_t n) const { return sampleToy(dataset_, std::max<int64_t>(n, 2000), kReferenceSeed); }

double SampleScore::headline(const at::Tensor& samples)
{
    if (isFashion())
        return fid_->score(samples, range_);
    return slicedWasserstein(samples, toyReference(samples.size(0)));
}

at::Tensor SampleScore::realItems(at::IntArrayRef sizes) const
{
    const int64_t n = sizes[0];
    if (!isFashion())
        return sampleToy(dataset_, n, kReferenceSeed + 1).reshape(sizes);
    DatasetOptions options;
    options.limit = n;
    options.range = range_;
    return loadDataset("fashion-mnist", options).images; // training images
}

double SampleScore::headlineFloor(at::IntArrayRef sizes) { return headline(realItems(sizes)); }

nlohmann::json SampleScore::report(const at::Tensor& samples)
{
    const auto real = realItems(samples.sizes());
    if (isFashion())
        return {{"metric", "fid_proxy"}, {"fid_proxy", fid_->score(samples, range_)},
                {"fid_proxy_floor", fid_->score(real, range_)}, {"classifier_test_accuracy", fid_->testAccuracy()}};
    const auto reference = toyReference(samples.size(0));
    return {{"metric", "mmd"},
            {"mmd2", mmdSquared(samples, reference)},
            {"mmd2_floor", mmdSquared(real, reference)},
            {"sliced_wasserstein", slicedWasserstein(samples, reference)},
            {"sliced_wasserstein_floor", slicedWasserstein(real, reference)}};
}

} // namespace ds::cli
