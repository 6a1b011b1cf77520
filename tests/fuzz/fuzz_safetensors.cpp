// core/io/safetensors: diffusers' weight files. An accepted file writes back and reads back to
// the same tensors and metadata.
#include "fuzz_support.h"

#include "core/io/safetensors.h"

#include <ATen/ATen.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".safetensors");
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto metadata = ds::readSafetensorsMetadata(path);
        // Keep the file's own float types, so the round trip compares bit for bit.
        const auto tensors = ds::readSafetensors(path, at::kDouble);
        const auto again = ds::fuzz::scratchPath(".again.safetensors");
        ds::writeSafetensors(again, tensors, metadata);
        const auto back = ds::readSafetensors(again, at::kDouble);
        ds::fuzz::check(back.size() == tensors.size() && ds::readSafetensorsMetadata(again) == metadata,
                        "names and metadata round trip");
        for (const auto& [name, t] : tensors) {
            const auto it = back.find(name);
            ds::fuzz::check(it != back.end() && it->second.sizes() == t.sizes(), "shapes round trip");
            ds::fuzz::check(at::equal(it->second.isnan(), t.isnan())
                                && at::equal(at::nan_to_num(it->second, 0), at::nan_to_num(t, 0)),
                            "values round trip");
        }
    });
    return 0;
}
