// Usage: <tests> [suite] [Qt Test arguments…]; no suite runs every registered suite.
#include "test_registry.h"

#include <QCoreApplication>
#include <QTest>

#include <cstdio>
#include <vector>

int main(int argc, char** argv)
{
    std::vector<char*> args(argv, argv + argc);
    std::string only;
    if (args.size() > 1 && args[1][0] != '-') {
        only = args[1];
        args.erase(args.begin() + 1);
    }
    QCoreApplication app(argc, argv);
    auto& all = ds::test::suites();
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
