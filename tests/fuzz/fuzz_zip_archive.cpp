// core/io/zip_integrity: the container of every checkpoint and TorchScript file, checked
// before LibTorch reads a byte of it (CRC-32s, sizes, offsets, overlaps, zip64).
#include "fuzz_support.h"

#include "core/io/zip_integrity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".dsckpt");
    ds::fuzz::expectOnlyDsErrors([&] { ds::verifyZipArchive(path); });
    return 0;
}
