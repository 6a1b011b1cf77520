// Usage: <tests> [suite] [Qt Test arguments…]; no suite runs every registered suite.
#include "test_registry.h"

#include <QCoreApplication>

#include <vector>

int main(int argc, char** argv)
{
    std::vector<char*> args(argv, argv + argc);
    const auto only = ds::test::takeSuiteName(args);
    QCoreApplication app(argc, argv);
    return ds::test::runSuites(only, args);
}
