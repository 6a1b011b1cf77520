// widgets/instruments/spectrum_view: for a frame of white noise the x_t spectrum shown is flat
// at the noise's variance within its standard error; the x̂0 curve is core's frameSpectra of
// the stored x̂0; a frame without x̂0 says so; the CSV is the CLI's long table; in the main
// window View → Spectrum follows the trajectory's frame, and the Instruments menu opens the dialogs.
#include "tests/widgets/widget_test_support.h"

#include "main_window.h"
#include "instrument_windows.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/instruments/spectrum_view.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/instruments/radial_spectrum.h"

#include <ATen/ATen.h>
#include <QAction>
#include <QDialog>
#include <QDockWidget>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace ds;

class SpectrumViewTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void whiteNoiseIsFlatAndX0IsFrameSpectra()
    {
        EngineThread engine;
        SpectrumView view(engine);
        const int64_t n = 16;
        at::manual_seed(5);
        Trajectory trajectory(Trajectory::Storage::Float32);
        const auto noise = at::randn({n, 1, 32, 32}), x0 = 0.5 * at::randn({n, 1, 32, 32}) + 0.1;
        trajectory.append(1000, noise, x0);
        trajectory.append(0, x0); // the sample: no x̂0 stored
        QSignalSpy computed(&view, &SpectrumView::computed);
        view.showFrame(0);
        view.setTrajectory(trajectory, nullptr);
        QVERIFY(computed.wait(30000));
        const auto p = view.xtPower(0);
        const auto counts = view.spectra().counts;
        QCOMPARE(p.size(), int(counts.size(0)));
        // E[P(u, v)] = 1 for unit white noise; P of conjugate pairs is shared, so a bin of c
        // frequencies averages about c/2 independent exponentials per image: SE = √(2 / (c n)).
        double sum = 0;
        for (int r = 1; r < p.size(); ++r) {
            const double se = std::sqrt(2.0 / (counts[r].item<double>() * double(n)));
            QVERIFY2(std::abs(p[r] - 1) <= 5 * se, qPrintable(QStringLiteral("r %1: %2 (SE %3)").arg(r).arg(p[r]).arg(se)));
            sum += p[r];
        }
        QVERIFY(std::abs(sum / (p.size() - 1) - 1) < 0.05);
        // The x̂0 curve is frameSpectra's row, and the chart draws exactly it (radius ≥ 1).
        const auto expected = frameSpectra(trajectory.stackedPredictions());
        const auto x0p = view.x0Power(0);
        for (int r = 0; r < x0p.size(); ++r)
            QCOMPARE(x0p[r], expected[0][r].item<double>());
        view.plot().flush();
        const auto& series = view.plot().series();
        QCOMPARE(series.size(), 2); // x_t and x̂0 (no data spectrum without a model)
        QCOMPARE(series[1].points.size(), x0p.size() - 1);
        for (int r = 1; r < x0p.size(); ++r) {
            QCOMPARE(series[1].points[r - 1].y(), x0p[r]);
            QCOMPARE(series[1].points[r - 1].x(), std::log10(double(r)));
        }
        // Following the slider picks a row: the last frame has no x̂0 and says so.
        view.showFrame(1);
        view.plot().flush();
        QCOMPARE(view.plot().series().size(), 1);
        QVERIFY2(view.note().contains(QStringLiteral("no predicted x0")), qPrintable(view.note()));
        // The CSV: header and one row per frame and radius bin.
        const auto csv = dir_.filePath("spectrum.csv");
        QCOMPARE(view.exportCsv(csv), QString());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("t,radius,count,xt,x0"));
        QCOMPARE(lines.size(), 1 + 2 * p.size());
    }

    void mainWindowPanelFollowsTheFrame()
    {
        StartOptions options;
        options.model = test::kGaussianOracle;
        options.restoreSettings = false;
        MainWindow w(options);
        auto& traj = w.trajectoryView();
        QTRY_VERIFY_WITH_TIMEOUT(w.model().hasModel() && !traj.runner().running() && traj.document().frameCount() > 2,
                                 60000);
        auto& spectrum = w.instruments().spectrumView();
        QSignalSpy computed(&spectrum, &SpectrumView::computed);
        w.show();
        QVERIFY(!w.instruments().spectrumDock().isVisible()); // hidden until asked for
        auto* action = w.findChild<QAction*>(QStringLiteral("spectrumAction")); // View → Spectrum
        QVERIFY(action);
        action->trigger();
        QVERIFY(w.instruments().spectrumDock().isVisible());
        QVERIFY(computed.wait(30000));
        QCOMPARE(int(spectrum.spectra().t.size()), traj.document().frameCount());
        QVERIFY(!spectrum.dataPower().isEmpty()); // the Gaussian oracle's own law
        traj.timeline().setFrame(1);
        QCOMPARE(spectrum.frame(), traj.currentFrame());
        QCOMPARE(spectrum.frame(), 1);
        QCOMPARE(computed.count(), 1); // scrubbing computes nothing
        // Instruments → Round trip… and Health report… open their (non-modal) dialogs.
        for (const auto* name : {"roundTripAction", "healthReportAction"}) {
            auto* a = w.findChild<QAction*>(QString::fromLatin1(name));
            QVERIFY2(a, name);
            a->trigger();
        }
        QVERIFY(w.instruments().roundTripDialog() && w.instruments().roundTripDialog()->isVisible());
        QVERIFY(w.instruments().healthDialog() && w.instruments().healthDialog()->isVisible());
    }
};

DS_TEST_SUITE(SpectrumViewTest, "spectrum_view");
#include "test_spectrum_view.moc"
