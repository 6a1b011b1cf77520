#include "snr_image_source.h"

#include "core/data/dataset.h"
#include "models/error.h"
#include "core/io/image_io.h"

#include <ATen/ATen.h>
#include <QFileInfo>

#include <mutex>

namespace ds {
namespace {

constexpr int kCachedItems = 1000;
const QString kFashionPrefix = QStringLiteral("fashion-mnist:");

// The first kCachedItems Fashion-MNIST images in [ε, 1], read once per ε.
at::Tensor fashionItems(double epsilon)
{
    static std::mutex mutex;
    static at::Tensor cache;
    static double cachedEpsilon = -1;
    std::lock_guard lock(mutex);
    if (!cache.defined() || cachedEpsilon != epsilon) {
        DatasetOptions options;
        options.limit = kCachedItems;
        options.range = {epsilon, 1.0};
        cache = loadDataset("fashion-mnist", options).images;
        cachedEpsilon = epsilon;
    }
    return cache;
}

} // namespace

QString fashionSource(int index) { return kFashionPrefix + QString::number(index); }

at::Tensor loadSnrImage(const QString& source, double epsilon, int size)
{
    // Pixel bytes map to [ε, 1] in the core loaders, the data range seed 002 diffuses.
    if (source.startsWith(kFashionPrefix)) {
        const int index = source.mid(kFashionPrefix.size()).toInt();
        auto items = fashionItems(epsilon);
        require(index >= 0 && index < items.size(0),
                "Fashion-MNIST item " + std::to_string(index) + " is out of range 0.." + std::to_string(items.size(0) - 1));
        return items.narrow(0, index, 1).contiguous();
    }
    ImageLoadOptions options;
    options.range = {epsilon, 1.0};
    options.size = size;
    return loadImage(source.toStdString(), options).unsqueeze(0).contiguous();
}

QStringList samplePhotoPaths()
{
    QStringList out;
    for (const auto* name : {"astronaut.png", "chelsea.png", "coffee.png"}) {
        const auto path = QStringLiteral("/usr/lib/python3/dist-packages/skimage/data/") + QLatin1String(name);
        if (QFileInfo::exists(path))
            out << path;
    }
    return out;
}

} // namespace ds
