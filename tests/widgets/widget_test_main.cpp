// Usage: diffscope_widget_tests [suite] [Qt Test arguments…]. Like tests/support/test_main.cpp,
// but with a QApplication (widgets need one) and settings kept in a throw-away folder.
#include "tests/support/test_registry.h"

#include "widgets/engine/engine_messages.h"
#include "widgets/engine/ui_thread_tensors.h"

#include <ATen/Parallel.h>

#include <QApplication>
#include <QTemporaryDir>

#include <algorithm>
#include <thread>
#include <vector>

int main(int argc, char** argv)
{
    std::vector<char*> args(argv, argv + argc);
    const auto only = ds::test::takeSuiteName(args);
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
    return ds::test::runSuites(only, args);
}
