#pragma once
// Paths the test executables need from the build (the fixtures folder beside the clone). They
// live in one small translation unit: an absolute path on every compile line would differ per
// clone and defeat the compiler cache (ccache hashes the command line).
#include <string>

namespace ds::test {

// ../shared/fixtures: reference outputs made by other projects' own code.
std::string fixturesDir();

} // namespace ds::test
