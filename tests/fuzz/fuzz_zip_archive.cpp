// core/io/zip_integrity: the container of every checkpoint and TorchScript file, checked
// before LibTorch reads a byte of it (CRC-32s, sizes, offsets, overlaps, zip64). Its messages
// quote entry names from the damaged bytes: they must stay one line with no control codes.
#include "fuzz_support.h"

#include "core/io/zip_integrity.h"

#include <algorithm>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".dsckpt");
    ds::fuzz::expectOnlyDsErrors([&] {
        try {
            ds::verifyZipArchive(path);
        } catch (const ds::Error& e) {
            const std::string_view text = e.what();
            ds::fuzz::check(std::none_of(text.begin(), text.end(), [](char c) { return (unsigned char)c < 0x20; }),
                            "a one-line message without control codes");
            throw;
        }
    });
    return 0;
}
