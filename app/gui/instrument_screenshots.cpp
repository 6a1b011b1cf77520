#include "instrument_screenshots.h"

#include "instrument_windows.h"
#include "main_window.h"

#include "widgets/engine/model_session.h"
#include "widgets/instruments/health_view.h"
#include "widgets/instruments/round_trip_view.h"
#include "widgets/instruments/spectrum_view.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/io/resource_paths.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDialog>
#include <QDockWidget>
#include <QTabWidget>
#include <QThread>

#include <functional>

namespace ds {

bool waitUntil(const std::function<bool()>& done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    return true;
}

namespace {

void settle() { waitUntil([] { return false; }, 700); } // layouts and coalesced plots

} // namespace

bool captureSpectrum(MainWindow& w, const QDir& dir)
{
    auto& spectrum = w.instruments().spectrumView();
    w.tabs().setCurrentIndex(MainWindow::TrajectoryTab);
    w.instruments().showSpectrum();
    w.instruments().spectrumDock().setMinimumWidth(520);
    bool ok = waitUntil([&] { return spectrum.ready() && !spectrum.busy(); }, 120000);
    auto& traj = w.trajectoryView();
    traj.timeline().setFrame(int(traj.document().frameCount() * 0.2)); // early: x̂0 still lacks fine detail
    settle();
    ok = ok && w.grab().save(dir.filePath("spectrum.png"));
    w.instruments().spectrumDock().setMinimumWidth(0);
    w.instruments().spectrumDock().hide();
    return ok;
}

namespace {

// The demo Fashion-MNIST DDPM: a trained model, whose round trip and health say more than the
// exact oracle's (which maps every image onto a training image).
bool openDemo(MainWindow& w)
{
    const auto demo = QString::fromStdString(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
    if (w.model().summary().source != demo)
        w.openModel(demo);
    return waitUntil([&] { return !w.model().loading() && w.model().summary().source == demo; }, 120000);
}

} // namespace

bool captureRoundTrip(MainWindow& w, const QDir& dir)
{
    bool ok = openDemo(w);
    auto& view = w.instruments().roundTripView();
    w.instruments().showRoundTrip();
    view.setCount(4);
    view.setSteps(20);
    view.setCurveSteps(QStringLiteral("5,10,20,50,100"));
    view.run();
    ok = ok && waitUntil([&] { return !view.running(); }, 600000) && view.outcome().error.isEmpty();
    settle();
    ok = ok && w.instruments().roundTripDialog()->grab().save(dir.filePath("round-trip.png"));
    w.instruments().roundTripDialog()->hide();
    return ok;
}

bool captureHealth(MainWindow& w, const QDir& dir)
{
    bool ok = openDemo(w);
    auto& view = w.instruments().healthView();
    w.instruments().showHealthReport();
    view.run();
    ok = ok && waitUntil([&] { return !view.running(); }, 600000) && view.hasReport();
    settle();
    ok = ok && w.instruments().healthDialog()->grab().save(dir.filePath("health-report.png"));
    w.instruments().healthDialog()->hide();
    return ok;
}

} // namespace ds
