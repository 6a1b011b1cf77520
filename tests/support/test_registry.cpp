#include "test_registry.h"

namespace ds::test {

std::map<std::string, SuiteFactory>& suites()
{
    static std::map<std::string, SuiteFactory> all;
    return all;
}

} // namespace ds::test
