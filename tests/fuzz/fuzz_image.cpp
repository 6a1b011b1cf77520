// core/io/image_io: image files through OpenCV's decoders (PNG, JPEG, BMP, PNM, TIFF, WebP, …).
// The decoders themselves are Debian's, uninstrumented; what is fuzzed is our contract around
// them: a file either loads as a finite float32 [C, H, W] inside the data range, with C as asked
// and the longer side as asked, or is refused with a ds::Error, and a header that claims a huge
// image is refused before anything is allocated for it. The first byte picks the options.
#include "fuzz_support.h"

#include "core/io/image_io.h"

#include <ATen/ATen.h>

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    ds::ImageLoadOptions options;
    options.grayscale = (data[0] & 1) != 0;
    options.size = (data[0] & 2) ? 16 : 0;
    options.range = (data[0] & 4) ? ds::DataRange{0, 1} : ds::DataRange{-1, 1};
    const auto& path = ds::fuzz::asFile(data + 1, size - 1, ".img");
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto image = ds::loadImage(path, options);
        ds::fuzz::check(image.dim() == 3 && image.scalar_type() == at::kFloat, "float32 [C, H, W]");
        ds::fuzz::check(image.size(0) == (options.grayscale ? 1 : 3), "the channels asked for");
        ds::fuzz::check(image.size(1) > 0 && image.size(2) > 0, "no empty image");
        if (options.size > 0)
            ds::fuzz::check(std::max(image.size(1), image.size(2)) == options.size, "the longer side as asked");
        ds::fuzz::check(image.numel() <= (int64_t(1) << 26) * 3, "no more pixels than the cap");
        ds::fuzz::check(image.ge(options.range.lo - 1e-5).all().item<bool>()
                            && image.le(options.range.hi + 1e-5).all().item<bool>(),
                        "values inside the data range");
    });
    return 0;
}
