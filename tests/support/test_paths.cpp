#include "test_paths.h"

namespace ds::test {

std::string fixturesDir() { return DIFFSCOPE_FIXTURES_DIR; }

} // namespace ds::test
