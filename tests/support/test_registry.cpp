#include "test_registry.h"

#include <QTest>

#include <cstdio>

namespace ds::test {

std::map<std::string, SuiteFactory>& suites()
{
    static std::map<std::string, SuiteFactory> all;
    return all;
}

std::string takeSuiteName(std::vector<char*>& args)
{
    if (args.size() < 2 || args[1][0] == '-')
        return {};
    std::string name = args[1];
    args.erase(args.begin() + 1);
    return name;
}

int runSuites(const std::string& only, std::vector<char*>& args)
{
    auto& all = suites();
    if (!only.empty() && all.find(only) == all.end()) {
        std::fprintf(stderr, "no test suite '%s'\n", only.c_str());
        return 2;
    }
    int failures = 0;
    for (auto& [name, make] : all) {
        if (!only.empty() && name != only)
            continue;
        auto suite = make();
        failures += QTest::qExec(suite.get(), int(args.size()), args.data());
    }
    return failures == 0 ? 0 : 1;
}

} // namespace ds::test
