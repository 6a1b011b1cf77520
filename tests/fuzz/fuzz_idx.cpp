// core/io/idx_reader: (gzipped) IDX files, the Fashion-MNIST format. An accepted file's tensor
// holds exactly the elements its header declares.
#include "fuzz_support.h"

#include "core/io/idx_reader.h"

#include <ATen/ATen.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".idx");
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto t = ds::readIdx(path);
        ds::fuzz::check(t.scalar_type() == at::kByte && t.dim() >= 1 && t.dim() <= 4, "uint8, 1..4 dims");
        ds::fuzz::check(t.numel() >= 1, "at least one element");
    });
    return 0;
}
