// The comparison's instruments (issue 13.1–13.2) on Gaussian-oracle panes: the pixel probe's
// chart series are core's probeTrajectory of each pane's own frames (x_t solid, x̂0 dashed,
// one colour per pane), its log-SNR axis is log(ᾱ/(1−ᾱ)) of each frame's index, the CSV has
// `diffscope-cli probe`'s columns; aligning by λ shows in each pane (10 vs 100 steps, linear vs
// cosine) the frame whose λ is nearest, by NFE a Heun pane advances half as many frames, the
// slider's ends stay x_T and the samples; stochastic panes share the noise path and a pane
// that cannot use it says so.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/image_canvas.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/comparison/probe_panel.h"

#include "core/instruments/pixel_probe.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace ds;
using namespace ds::test;

namespace {

const QString kCosineOracle = QStringLiteral("oracle:gaussian?mean=0&std=0.5&shape=1x8x8&T=100&schedule=cosine");

SamplerSettings quick(const QString& sampler, int steps, const QString& model = {})
{
    auto s = SamplerSettings::of(sampler, steps);
    s.model = model;
    return s;
}

// Panes on the Gaussian oracle (T = 100, linear), run once and waited for.
struct Panes {
    Engine engine;
    ComparisonView view{engine.model};
    bool ready = false;
    explicit Panes(const QList<SamplerSettings>& settings)
    {
        view.setPaneSettings(settings);
        for (int i = 0; i < view.paneCount(); ++i)
            view.pane(i)->setFollowsSigmaToggle(false);
        view.show();
        ready = engine.open(kGaussianOracle);
        auto done = [&] {
            for (int i = 0; i < view.paneCount(); ++i)
                if (view.pane(i)->summary().completedSteps == 0)
                    return false;
            return !view.running();
        };
        ready = ready && QTest::qWaitFor(done, 60000);
        QTest::qWait(400); // a pane whose own model opened may rerun once after its debounce
        ready = ready && QTest::qWaitFor(done, 60000);
    }
};

double lambdaOf(const Schedule& s, int64_t t)
{
    const double abar = s.alphaBarAt(t - 1);
    return std::log(abar / (1 - abar));
}

// The frame whose λ (from the schedule, by hand) is nearest `target`; +∞ is the samples.
int64_t nearestByHand(const ComparisonPane& pane, double target)
{
    const auto& tr = pane.trajectory();
    int64_t best = -1;
    double distance = std::numeric_limits<double>::infinity();
    for (int64_t f = 0; f < tr.size(); ++f) {
        if (tr.t(f) == 0)
            continue;
        const double d = std::abs(lambdaOf(*pane.schedule(), tr.t(f)) - target);
        if (d < distance) {
            distance = d;
            best = f;
        }
    }
    return best;
}

bool probed(ComparisonView& view, int curves)
{
    return QTest::qWaitFor([&] { return view.probe().curves().size() == curves; }, 10000);
}

} // namespace

class ComparisonProbeTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void probeSeriesAreEachPanesProbeTable()
    {
        Panes f({quick("ddpm", 30), quick("ddim", 10)});
        QVERIFY(f.ready);
        QSignalSpy ready(&f.view.probe(), &ProbePanel::curvesReady);
        f.view.probePixel(2, 3, 4); // sample 2, x 3, y 4
        QVERIFY(ready.wait(10000));
        QCOMPARE(f.view.probe().curves().size(), 2);
        auto& chart = f.view.probe().valueChart();
        chart.flush();
        QCOMPARE(chart.series().size(), 4); // x_t and x̂0 per pane
        for (int i = 0; i < 2; ++i) {
            const auto* pane = f.view.pane(i);
            const auto table = probeTrajectory(pane->trajectory(), *pane->schedule(), {{2, 0, 4, 3}});
            const auto& xt = chart.series()[2 * i];
            const auto& x0 = chart.series()[2 * i + 1];
            QVERIFY(xt.legend.isEmpty() ? xt.name.contains(pane->settings().sampler) : xt.legend.contains(pane->settings().sampler));
            QCOMPARE(xt.style, Qt::SolidLine);
            QCOMPARE(x0.style, Qt::DashLine);
            QCOMPARE(xt.colour, x0.colour);
            QCOMPARE(int64_t(xt.points.size()), int64_t(table.t.size()));
            for (size_t r = 0; r < table.t.size(); ++r) {
                QCOMPARE(xt.points[qsizetype(r)].x(), double(table.t[r]) / 100.0);
                QCOMPARE(xt.points[qsizetype(r)].y(), table.xt[int64_t(r)][0].item<double>());
            }
            // x̂0 on every frame but the samples (their own x̂0), and the raw value of the pixel.
            QCOMPARE(int64_t(x0.points.size()), int64_t(table.t.size()) - 1);
            QCOMPARE(x0.points[0].y(), table.x0[0][0].item<double>());
            QCOMPARE(x0.points[0].y(), pane->trajectory().predictedX0(0)[2][0][4][3].item<double>());
        }
        QVERIFY(chart.series()[0].colour != chart.series()[2].colour); // one colour per pane
        // The pane shows the probed pixel boxed.
        QCOMPARE(f.view.pane(1)->canvas().markers().size(), 1);

        // On the log-SNR axis x is log(ᾱ/(1−ᾱ)) of each frame's index (the samples, +∞, not drawn).
        ready.clear();
        f.view.setAxis(FrameAxis::LogSnr);
        chart.flush();
        const auto* ddim = f.view.pane(1);
        const auto& xt = chart.series()[2];
        QCOMPARE(int64_t(xt.points.size()), ddim->trajectory().size() - 1);
        for (int64_t r = 0; r + 1 < ddim->trajectory().size(); ++r)
            QVERIFY(std::abs(xt.points[qsizetype(r)].x() - lambdaOf(*ddim->schedule(), ddim->trajectory().t(r))) < 1e-12);
        // …and the λ chart runs against t/T then.
        auto& snr = f.view.probe().snrChart();
        snr.flush();
        QCOMPARE(snr.series()[1].points.front().x(), 1.0);
        QVERIFY(std::abs(snr.series()[1].points.front().y() - lambdaOf(*ddim->schedule(), 100)) < 1e-12);
    }

    void probeTableExportsTheClisColumns()
    {
        Panes f({quick("ddim", 10), quick("pf-ode-heun", 5)});
        QVERIFY(f.ready);
        QTemporaryDir dir;
        QVERIFY(!f.view.probe().saveCsv(dir.filePath("none.csv")).isEmpty()); // nothing probed yet
        f.view.probePixel(0, 1, 1);
        QVERIFY(probed(f.view, 2));
        const auto path = dir.filePath("probe.csv");
        QCOMPARE(f.view.probe().saveCsv(path), QString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.front(), QStringLiteral("sampler,pixel,y,x,t,t_over_T,log_snr,nfe,xt,x0"));
        QCOMPARE(lines.size(), 1 + 11 + 6);
        // DDIM row 3: t/T of its frame, NFE 3 (one pass per step), x_t of the pixel.
        const auto ddim = lines[1 + 3].split(',');
        QCOMPARE(ddim[0], QStringLiteral("ddim"));
        QCOMPARE(ddim[4].toLongLong(), f.view.pane(0)->trajectory().t(3));
        QCOMPARE(ddim[7].toInt(), 3);
        QCOMPARE(ddim[8].toDouble(), f.view.pane(0)->trajectory().frame(3)[0][0][1][1].item<double>());
        // Heun: two passes per step but the last (Euler onto the data): 0, 2, 4, 6, 8, 9.
        QStringList nfe;
        for (int r = 0; r < 6; ++r)
            nfe << lines[12 + r].split(',')[7];
        QCOMPARE(nfe, (QStringList{"0", "2", "4", "6", "8", "9"}));
        QCOMPARE(lines.back().split(',')[6], QStringLiteral("inf")); // λ of the samples
    }

    void alignByLogSnrAcrossStepCountsAndSchedules()
    {
        // 10 steps on the linear schedule beside 100 steps on the cosine one (a model of its own).
        Panes f({quick("ddim", 10), quick("ddim", 100, kCosineOracle)});
        QVERIFY(f.ready);
        QCOMPARE(f.view.pane(1)->schedule()->spec().kind, ScheduleKind::Cosine);
        f.view.setAxis(FrameAxis::LogSnr);
        for (double target : {-2.31, -6.0, 0.5, 3.0}) {
            f.view.setAxisValue(target);
            for (int i = 0; i < 2; ++i) {
                const auto* pane = f.view.pane(i);
                QCOMPARE(pane->shownFrame(), nearestByHand(*pane, target));
                const auto stats = pane->statsText();
                QVERIFY2(stats.startsWith(QStringLiteral("λ = ")) && stats.contains(QStringLiteral("(t = %1)").arg(pane->trajectory().t(pane->shownFrame()))),
                         qPrintable(stats));
            }
        }
        // At λ = −2.31 the two schedules sit at different t.
        f.view.setAxisValue(-2.31);
        const auto* a = f.view.pane(0);
        const auto* b = f.view.pane(1);
        QVERIFY(a->trajectory().t(a->shownFrame()) != b->trajectory().t(b->shownFrame()));
        // The slider's ends: x_T at the left, the samples (λ = +∞) at the right.
        auto* slider = f.view.findChild<QSlider*>(QStringLiteral("alignSlider"));
        slider->setValue(slider->minimum());
        QCOMPARE(a->shownFrame(), int64_t(0));
        QCOMPARE(b->shownFrame(), int64_t(0));
        slider->setValue(slider->maximum());
        QVERIFY(std::isinf(f.view.axisValue()));
        QCOMPARE(a->trajectory().t(a->shownFrame()), int64_t(0));
        QCOMPARE(b->trajectory().t(b->shownFrame()), int64_t(0));
        QVERIFY2(f.view.axisLabel().contains("samples"), qPrintable(f.view.axisLabel()));
        QVERIFY(b->statsText().startsWith(QStringLiteral("λ = +∞ (t = 0)")));
    }

    void alignByNetworkEvaluations()
    {
        Panes f({quick("ddim", 10), quick("pf-ode-heun", 10)});
        QVERIFY(f.ready);
        f.view.setAxis(FrameAxis::Nfe);
        QCOMPARE(f.view.axisSpan().second, 19.0); // Heun: 9 × 2 + 1 passes
        for (int nfe : {2, 4, 8}) {
            f.view.setAxisValue(nfe);
            QCOMPARE(f.view.pane(0)->shownFrame(), int64_t(nfe));     // one pass per step
            QCOMPARE(f.view.pane(1)->shownFrame(), int64_t(nfe / 2)); // two per step: half the frames
            QVERIFY(f.view.pane(1)->statsText().startsWith(QStringLiteral("NFE %1 (t = ").arg(nfe)));
        }
        auto* slider = f.view.findChild<QSlider*>(QStringLiteral("alignSlider"));
        slider->setValue(slider->minimum());
        QCOMPARE(f.view.pane(1)->shownFrame(), int64_t(0)); // x_T at the left end
        slider->setValue(slider->maximum());
        QCOMPARE(f.view.pane(1)->shownFrame(), f.view.pane(1)->trajectory().size() - 1);
        QCOMPARE(f.view.pane(0)->shownFrame(), f.view.pane(0)->trajectory().size() - 1);
        // Back to t/T: today's behaviour.
        f.view.setTime(0.5);
        QCOMPARE(f.view.axis(), FrameAxis::Time);
        QVERIFY(f.view.pane(0)->statsText().startsWith("t = "));
        QCOMPARE(f.view.axisLabel(), QStringLiteral("t/T = 0.500"));
    }

    void stochasticPanesShareTheNoisePath()
    {
        auto ddpm = quick("ddpm", 20);
        Panes f({ddpm, quick("ddim", 10), quick("picard-ddpm", 20)});
        QVERIFY(f.ready);
        QVERIFY(f.view.sharedNoisePath()); // on by default
        QVERIFY2(f.view.pane(0)->noiseText().contains("shared path (19 steps)"), qPrintable(f.view.pane(0)->noiseText()));
        QVERIFY2(f.view.pane(1)->noiseText().contains("none"), qPrintable(f.view.pane(1)->noiseText()));
        QVERIFY2(f.view.pane(2)->noiseText().contains("not the shared path"), qPrintable(f.view.pane(2)->noiseText()));
        const auto shared = f.view.pane(0)->summary().samples;
        // Off: the seed's own stream, other samples from the same x_T.
        f.view.setSharedNoisePath(false);
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running() && f.view.pane(0)->summary().completedSteps == 20, 30000);
        QVERIFY(f.view.pane(0)->noiseText().contains("own stream"));
        QVERIFY(!at::equal(shared, f.view.pane(0)->summary().samples));
        f.view.setSharedNoisePath(true);
        QTRY_VERIFY_WITH_TIMEOUT(!f.view.running() && f.view.pane(0)->summary().completedSteps == 20, 30000);
        QVERIFY(at::equal(shared, f.view.pane(0)->summary().samples)); // the path is the seed's: replayable
    }
};

DS_TEST_SUITE(ComparisonProbeTest, "comparison_probe");
#include "test_comparison_probe.moc"
