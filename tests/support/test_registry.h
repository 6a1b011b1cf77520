#pragma once
// Test suites register themselves by name; test_main runs one suite or all of them.
#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ds::test {

using SuiteFactory = std::function<std::unique_ptr<QObject>()>;
std::map<std::string, SuiteFactory>& suites();

struct SuiteRegistration {
    SuiteRegistration(const std::string& name, SuiteFactory factory) { suites()[name] = std::move(factory); }
};

} // namespace ds::test

// Registers test class `Class` under `name` (the CTest suffix).
#define DS_TEST_SUITE(Class, name)                                                                            \
    static const ds::test::SuiteRegistration dsSuiteRegistration##Class(name,                                  \
                                                                          [] { return std::make_unique<Class>(); })
