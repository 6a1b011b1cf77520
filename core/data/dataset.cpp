#include "dataset.h"

#include "models/error.h"
#include "core/io/idx_reader.h"
#include "toy_datasets.h"

#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>

namespace ds {
namespace {

constexpr int64_t kToyDefaultCount = 10000;

Dataset fashionMnist(bool test, const DatasetOptions& options)
{
    const auto dir = std::filesystem::path(fashionMnistDir());
    const std::string prefix = test ? "t10k" : "train";
    const auto imagesPath = (dir / (prefix + "-images-idx3-ubyte.gz")).string();
    const auto labelsPath = (dir / (prefix + "-labels-idx1-ubyte.gz")).string();
    require(std::filesystem::exists(imagesPath),
            imagesPath + ": no such file (install Debian's dataset-fashion-mnist or set DIFFSCOPE_FASHION_MNIST_DIR)");
    auto images = readIdx(imagesPath);
    require(images.dim() == 3, imagesPath + ": expected images [N, H, W]");
    auto labels = readIdx(labelsPath);
    require(labels.dim() == 1 && labels.size(0) == images.size(0),
            labelsPath + ": label count does not match " + imagesPath);
    if (options.limit > 0 && options.limit < images.size(0)) {
        images = images.narrow(0, 0, options.limit);
        labels = labels.narrow(0, 0, options.limit);
    }
    return {test ? "fashion-mnist-test" : "fashion-mnist", bytesToRange(images.unsqueeze(1), options.range),
            labels.to(at::kLong), options.range};
}

} // namespace

std::vector<std::string> datasetNames()
{
    std::vector<std::string> names{"fashion-mnist", "fashion-mnist-test"};
    for (const auto& t : toyDatasetNames())
        names.push_back(t);
    return names;
}

std::string fashionMnistDir()
{
    const char* env = std::getenv("DIFFSCOPE_FASHION_MNIST_DIR");
    return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

at::Tensor bytesToRange(const at::Tensor& bytes, DataRange range)
{
    return bytes.to(at::kFloat) / 255.0 * range.width() + range.lo;
}

Dataset loadDataset(const std::string& name, const DatasetOptions& options)
{
    require(options.limit >= 0, "data set size limit must be >= 0");
    if (name == "fashion-mnist" || name == "fashion-mnist-test")
        return fashionMnist(name == "fashion-mnist-test", options);
    if (isToyDataset(name)) {
        const auto n = options.limit > 0 ? options.limit : kToyDefaultCount;
        return {name, sampleToy(name, n, options.seed), at::Tensor(), DataRange{-4, 4}};
    }
    std::string known;
    for (const auto& n : datasetNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown data set '" + name + "' (known: " + known + ")");
}

} // namespace ds
