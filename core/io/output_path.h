#pragma once
// Output paths are checked before any work starts, so a typo in --out fails in milliseconds
// instead of after an hour of sampling. The writes themselves stay atomic (core/atomic_file.h).
#include <string>
#include <vector>

namespace ds {

// Throws ds::Error naming `what` (the option, e.g. "--out") and `path` unless: the path is not
// empty, its folder exists and is a writable directory, the path is not a directory, and it is
// none of `inputs` (a file the command reads; empty entries are skipped).
void requireWritableOutput(const std::string& path, const std::string& what,
                           const std::vector<std::string>& inputs = {});

} // namespace ds
