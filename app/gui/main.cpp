// diffscope: the desktop app. Started with no arguments it opens the exact Fashion-MNIST
// denoiser and streams a DDIM reverse trajectory of 16 samples at once.
#include "main_window.h"
#include "screenshot_runner.h"
#include "start_options.h"

#include "widgets/engine/engine_messages.h"
#include "widgets/engine/ui_thread_tensors.h"

#include <ATen/Parallel.h>

#include <QApplication>
#include <QIcon>

#include <algorithm>
#include <thread>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("diffscope"));
    QApplication::setApplicationName(QStringLiteral("diffscope"));
    QApplication::setApplicationVersion(QStringLiteral(DIFFSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/diffscope.svg"))); // resources/diffscope.qrc
    // Debian's LibTorch starts with one intra-op thread: use every core.
    at::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    ds::keepTensorOpsSerialOnThisThread(); // the UI thread's small ops must not wait on busy cores
    ds::registerEngineMetaTypes();

    const auto options = ds::parseCommandLine();
    ds::MainWindow window(options);
    window.show();
    if (!options.screenshots.isEmpty())
        ds::scheduleScreenshots(window, options.screenshots);
    return app.exec();
}
