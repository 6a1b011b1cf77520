#pragma once
// Test suites register themselves by name; test_main runs one suite or all of them.
#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ds::test {

using SuiteFactory = std::function<std::unique_ptr<QObject>()>;
std::map<std::string, SuiteFactory>& suites();

// Usage of a test program: <tests> [suite] [Qt Test arguments…]. Removes the suite name (an
// argument not starting with '-' right after the program) from `args` and returns it.
std::string takeSuiteName(std::vector<char*>& args);
// Runs suite `only`, or every suite when empty: 0 if all pass, 1 if not, 2 for an unknown name.
int runSuites(const std::string& only, std::vector<char*>& args);

struct SuiteRegistration {
    SuiteRegistration(const std::string& name, SuiteFactory factory) { suites()[name] = std::move(factory); }
};

} // namespace ds::test

// Registers test class `Class` under `name` (the CTest suffix).
#define DS_TEST_SUITE(Class, name)                                                                            \
    static const ds::test::SuiteRegistration dsSuiteRegistration##Class(name,                                  \
                                                                          [] { return std::make_unique<Class>(); })
