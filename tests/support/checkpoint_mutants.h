#pragma once
// Damaged copies of a checkpoint's bytes, made the same way for the engine test
// (tests/core/io/test_checkpoint_mutants.cpp) and the sanitizer run (tests/fuzz/
// mutant_checkpoints.cpp). Qt-free and C++17, since the fuzz project is built with clang's
// C++17. The zip is read by its own small parser here (32-bit fields: the demo files are small),
// independent of the reader under test.
#include <cstdint>
#include <string>
#include <vector>

namespace ds::testing {

struct ZipRecord {
    std::string name;
    size_t central = 0;    // offset of its central directory entry
    size_t data = 0;       // offset of its stored bytes
    size_t size = 0;
    size_t descriptor = 0; // offset of its data descriptor's CRC-32 field (0: none)
    bool compressed = false; // deflated (LibTorch compresses code records; weights are stored)
};
// Every entry of a zip, in directory order. Throws std::runtime_error when the bytes are not
// a zip.
std::vector<ZipRecord> zipRecords(const std::string& bytes);
// Writes the CRC-32 of the record's current bytes into the central directory and the data
// descriptor: what a tool that re-zips a damaged file does, so only deeper checks catch it.
void rewriteCrc(std::string& bytes, const ZipRecord& record);

struct Mutant {
    std::string kind;        // "single flip", "truncation", "re-zipped flip", …
    std::string what;        // where: "at 1234", "archive/data/2 <-> archive/data/4"
    std::string bytes;
    bool mustRefuse = false; // no mutant of this kind can load with the original's outputs
};

// The mutants of `original` (≥ 500 for a demo checkpoint), the same for the same seed:
//  single flip ×250, double flip ×150 (anywhere), truncation ×80, appended junk ×40,
//  swapped records (equal-size weight entries, CRCs left), re-zipped swaps and re-zipped
//  flips ×40 (CRC-32s rewritten: only the header's weight SHA-256 can catch them), lying
//  header ×N (same-length edits of numbers in the header JSON — shape, network widths,
//  version, T — with CRCs rewritten).
std::vector<Mutant> checkpointMutants(const std::string& original, uint64_t seed);

} // namespace ds::testing
