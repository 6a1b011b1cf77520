// core/io/npy: .npy files from numpy or anyone. An accepted file must write back and read back
// to the same tensor (saveNpy ∘ loadNpy is the identity on what loadNpy accepts).
#include "fuzz_support.h"

#include "core/io/npy.h"

#include <ATen/ATen.h>

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".npy");
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto t = ds::loadNpy(path);
        ds::fuzz::check(t.is_contiguous() && t.nbytes() <= size, "a tensor no larger than the file");
        const auto again = ds::fuzz::scratchPath(".again.npy");
        ds::saveNpy(again, t);
        const auto back = ds::loadNpy(again);
        ds::fuzz::check(back.scalar_type() == t.scalar_type() && back.sizes() == t.sizes(), "dtype and shape round trip");
        ds::fuzz::check(t.nbytes() == 0 || std::memcmp(back.data_ptr(), t.data_ptr(), t.nbytes()) == 0,
                        "bytes round trip");
    });
    return 0;
}
