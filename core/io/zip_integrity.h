#pragma once
// LibTorch archives (.dsckpt, TorchScript .pt) are zip files written by PyTorchStreamWriter:
// records stored (code files deflated), 64-byte aligned, data descriptors, zip64 end records.
// LibTorch's reader checks no CRC-32, so flipped weight bytes load silently and a lying size
// can read past a record. This checks the whole container before torch sees it.
#include <string>

namespace ds {

// Parses the end-of-central-directory record (and its zip64 twin), the central directory and
// every local header; checks each entry's CRC-32 and sizes (inflating deflated ones), that
// every offset stays inside the file, that entries neither overlap nor repeat, and that
// nothing follows the archive. Throws ds::Error naming `path` and the first bad entry.
void verifyZipArchive(const std::string& path);

} // namespace ds
