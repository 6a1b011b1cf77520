#pragma once
// Shared by the libFuzzer targets: the readers take file paths, so each input goes to one
// scratch file per process (on /dev/shm when it exists: no disk traffic per execution).
// The contract every parser keeps: bad bytes give a ds::Error (one line naming the source);
// any other exception, a crash, a leak or a hang is a finding.
#include "models/error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace ds::fuzz {

inline const std::string& scratchPath(const char* suffix)
{
    static const std::string path = [suffix] {
        const char* dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
        return std::string(dir) + "/diffscope-fuzz-" + std::to_string(::getpid()) + suffix;
    }();
    return path;
}

// Writes the input to the scratch file and returns its path.
inline const std::string& asFile(const uint8_t* data, size_t size, const char* suffix)
{
    const auto& path = scratchPath(suffix);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

inline std::string asText(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// A ds::Error must say something. (Multi-line texts are not refused here: spec strings and
// JSON errors quote the input as typed, and userMessage() shows their first line; zip entry
// names are escaped, and fuzz_zip_archive checks that.)
inline void checkMessage(const std::string& message)
{
    if (message.empty()) {
        std::fprintf(stderr, "fuzz: a ds::Error with an empty message\n");
        std::abort();
    }
}

// Runs `parse`: a ds::Error is the expected answer to bad bytes; anything else escaping the
// parser (std::out_of_range, nlohmann::json::exception, c10::Error, ...) aborts, so libFuzzer
// records the input.
template <class Parse>
void expectOnlyDsErrors(Parse&& parse)
{
    try {
        parse();
    } catch (const ds::Error& e) {
        checkMessage(e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: a non-ds::Error exception escaped the parser: %s\n", e.what());
        std::abort();
    }
}

// An invariant that must hold for every accepted input (a round trip, a bound).
inline void check(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace ds::fuzz
