// core/io/torch_state_dict: PyTorch .bin / .pt state dicts (torch.save zip + pickle), read with
// our opcode scan in front of LibTorch's unpickler.
#include "fuzz_support.h"

#include "core/io/torch_state_dict.h"

#include <ATen/ATen.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".bin");
    ds::fuzz::expectOnlyDsErrors([&] {
        for (const auto& [name, t] : ds::readTorchStateDict(path)) {
            ds::fuzz::check(!name.empty() || true, "a name");
            ds::fuzz::check(t.defined(), "defined tensors only");
            (void)t.sum().item<double>(); // touches every element: storage must cover the view
        }
    });
    return 0;
}
