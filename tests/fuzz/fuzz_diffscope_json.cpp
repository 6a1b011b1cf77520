// core/denoisers/torchscript_denoiser: the diffscope.json extra file of a TorchScript model
// (format, prediction, schedule, shape, data range, role).
#include "fuzz_support.h"

#include "core/denoisers/torchscript_denoiser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto info = ds::parseDiffscopeHeader(ds::fuzz::asText(data, size), "fuzz.pt");
        for (auto s : info.shape)
            ds::fuzz::check(s >= 1 && s <= 4096, "shape entries in 1..4096");
    });
    return 0;
}
