#pragma once
// SHA-256 (FIPS 180-4) of bytes and files, as lowercase hex: checkpoints and outputs in
// reproducibility manifests are named by it.
#include <cstddef>
#include <cstdint>
#include <string>

namespace ds {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    void update(const std::string& text) { update(text.data(), text.size()); }
    std::string hexDigest(); // finishes; the object is spent afterwards

private:
    void block(const uint8_t* p);
    uint32_t h_[8];
    uint8_t buffer_[64];
    size_t buffered_ = 0;
    uint64_t length_ = 0;
};

std::string sha256Hex(const std::string& bytes);
// Throws ds::Error naming the file when it cannot be read.
std::string sha256File(const std::string& path);

} // namespace ds
