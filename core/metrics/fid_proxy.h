#pragma once
// An FID proxy for Fashion-MNIST: the Fréchet distance between Gaussian fits of the 128-wide
// penultimate features of diffscope's own classifier (resources/fashion_classifier.dsckpt),
// for generated samples against the 10 000 test images. Numbers are comparable with each
// other, not with published Inception FIDs.
#include "frechet_distance.h"

#include "core/data/data_range.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

namespace ds {

class FeatureClassifierImpl;

class FidProxy {
public:
    // Loads the classifier (throws ds::Error naming the file if missing or damaged).
    explicit FidProxy(const std::string& classifierPath = defaultClassifierPath());
    static std::string defaultClassifierPath();

    // Penultimate features [N, 128] of images [N, 1, 28, 28] given in `range`.
    at::Tensor features(const at::Tensor& images, DataRange range);
    // Statistics of the Fashion-MNIST test set (computed once, then cached).
    const GaussianStats& referenceStats();
    // FID proxy of samples (in `range`) against the test set.
    double score(const at::Tensor& samples, DataRange range);
    double testAccuracy() const { return testAccuracy_; } // as recorded when it was trained

private:
    std::shared_ptr<FeatureClassifierImpl> classifier_;
    GaussianStats reference_;
    double testAccuracy_ = 0;
};

} // namespace ds
