#include "fid_proxy.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "core/io/resource_paths.h"
#include "models/classifier.h"

#include <ATen/ATen.h>

namespace ds {
namespace {

constexpr int64_t kBatch = 500;

} // namespace

std::string FidProxy::defaultClassifierPath() { return resourcePath("fashion_classifier.dsckpt"); }

FidProxy::FidProxy(const std::string& path)
{
    auto checkpoint = loadCheckpoint(path);
    require(checkpoint.header.kind == "classifier", path + ": not a classifier checkpoint");
    classifier_ = std::dynamic_pointer_cast<FeatureClassifierImpl>(checkpoint.ema);
    require(classifier_ != nullptr, path + ": network is not a feature classifier");
    classifier_->eval();
    testAccuracy_ = checkpoint.header.extra.value("test_accuracy", 0.0);
}

at::Tensor FidProxy::features(const at::Tensor& images, DataRange range)
{
    require(images.dim() == 4 && images.size(1) == 1 && images.size(2) == 28 && images.size(3) == 28,
            "the FID proxy takes Fashion-MNIST shaped images [N, 1, 28, 28]");
    c10::NoGradGuard noGrad;
    // The classifier was trained on images in [-1, 1].
    auto x = (images.to(at::kFloat).cpu() - range.lo) / range.width() * 2.0 - 1.0;
    std::vector<at::Tensor> out;
    for (int64_t start = 0; start < x.size(0); start += kBatch)
        out.push_back(classifier_->features(x.narrow(0, start, std::min(kBatch, x.size(0) - start))));
    return at::cat(out);
}

const GaussianStats& FidProxy::referenceStats()
{
    if (!reference_.mean.defined()) {
        auto test = loadDataset("fashion-mnist-test");
        reference_ = gaussianStats(features(test.images, test.range));
    }
    return reference_;
}

double FidProxy::score(const at::Tensor& samples, DataRange range)
{
    return frechetDistance(gaussianStats(features(samples, range)), referenceStats());
}

} // namespace ds
