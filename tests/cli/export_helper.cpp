// diffscope_export_helper gif|mp4 PATH: writes a 16-frame 48×48 animation through core/export,
// as the GUI's export service does, so tests can run it under the ENOSPC shim (enospc_shim.cpp).
// Exit 0 when written, 1 with one line on stderr when not, 2 for bad arguments.
#include "core/export/gif_writer.h"
#include "core/export/mp4_writer.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 3 || (std::string(argv[1]) != "gif" && std::string(argv[1]) != "mp4")) {
        std::fprintf(stderr, "usage: %s gif|mp4 PATH\n", argv[0]);
        return 2;
    }
    const std::string kind = argv[1], path = argv[2];
    at::manual_seed(0);
    ds::FrameSequence frames;
    frames.count = 16;
    frames.frame = [](int64_t) { return at::randint(0, 256, {48, 48, 3}, at::kByte); }; // noise: compresses badly
    try {
        const auto result = kind == "gif" ? ds::saveGif(path, frames) : ds::saveMp4(path, frames);
        std::printf("%s: %lld frames\n", path.c_str(), static_cast<long long>(result.frames));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", ds::userMessage(e).c_str());
        return 1;
    }
}
