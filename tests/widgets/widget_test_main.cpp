// Usage: diffscope_widget_tests [suite] [Qt Test arguments…]. Like tests/support/test_main.cpp,
// but with a QApplication (widgets need one) and settings kept in a throw-away folder.
#include "tests/support/test_registry.h"

#include "widgets/engine_messages.h"
#include "widgets/ui_thread_tensors.h"

#include <ATen/Parallel.h>

#include <QApplication>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

int main(int argc, char** argv)
{
    std::vector<char*> args(argv, argv + argc);
    std::string only;
    if (args.size() > 1 && args[1][0] != '-') {
        only = args[1];
        args.erase(args.begin() + 1);
    }
    QTemporaryDir config; // QSettings write here, never into the user's configuration
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // no display: offscreen (under xvfb-run: xcb)
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("diffscope-tests"));
    QApplication::setApplicationName(QStringLiteral("diffscope-tests"));
    at::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    ds::keepTensorOpsSerialOnThisThread(); // the UI thread's small ops must not wait on busy cores
    ds::registerEngineMetaTypes();
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
