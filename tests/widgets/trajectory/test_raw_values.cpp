// widgets/trajectory/frame_renderer's value scaling through the trajectory view: by default
// x_t and x̂0 are raw values over the data range (values outside are clipped, counted and
// reported under the image); "min–max scaled" maps each frame's own range and says so. Checked
// on frames far outside [-1, 1] set on the document, and on a Gaussian oracle whose samples
// are: mean −6.9, std 10.1 against [-1, 1], the third-party DDPM of issue 13 item 9.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/trajectory/frame_renderer.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <ATen/ATen.h>

#include <QTest>

#include <cmath>

using namespace ds;
using namespace ds::test;

class RawValuesTest : public QObject {
    Q_OBJECT

    static double shareOutside(const at::Tensor& x) { return ((x < -1) | (x > 1)).to(at::kDouble).mean().item<double>(); }

private Q_SLOTS:
    void rawByDefaultCountsWhatIsClipped()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        // One frame of 2 × 1 × 4 × 4 values in [-8, 8] against the data range [-1, 1].
        auto s = forwardTrajectoryOf(2, 1, 4, 10);
        auto x = at::linspace(-8, 8, 32).reshape({2, 1, 4, 4});
        Trajectory trajectory(Trajectory::Storage::Float32);
        trajectory.append(0, x);
        view.document().setTrajectory(trajectory, s.meta);
        QCOMPARE(view.currentFrame(), 0);
        const auto& r = view.rendered();
        QCOMPARE(view.scaling(), ValueScaling::Raw);
        QCOMPARE(r.scaling, ValueScaling::Raw);
        QCOMPARE(r.range.lo, -1.0); // the data range, not the frame's
        QCOMPARE(r.range.hi, 1.0);
        const double expected = shareOutside(x); // 28 of 32 values
        QCOMPARE(r.outsideShare, expected);
        QCOMPARE(expected, 28.0 / 32.0);
        QVERIFY2(view.rangeNote().contains("87.5% of values outside [-1, 1], clipped"), qPrintable(view.rangeNote()));
        // Not rescaled: −8 and 8 clip to black and white, and a value inside keeps its gray.
        const auto& image = view.canvas().image();
        QCOMPARE(qGray(image.pixel(1, 1)), 0);   // sample 0, pixel (0, 0): −8 (a 1-pixel border)
        QCOMPARE(qGray(image.pixel(9, 4)), 255); // sample 1, pixel (3, 3): 8 (tiles 4 wide + 1 gap)
        const float inside = x[0][0][3][3].item<float>(); // −8 + 15·16/31 ≈ −0.258
        QCOMPARE(qGray(image.pixel(4, 4)), int(std::lround((inside + 1) / 2 * 255)));
        QVERIFY(!view.canvas().colourScale()); // raw values need no extra bar: gray is the data range

        // Min–max on: the frame's own [−8, 8] is stretched, and the screen says so.
        view.controls().setScaling(ValueScaling::MinMax);
        QCOMPARE(view.rendered().scaling, ValueScaling::MinMax);
        QCOMPARE(view.rendered().range.lo, -8.0);
        QCOMPARE(view.rendered().range.hi, 8.0);
        QVERIFY2(view.rangeNote().startsWith("MIN–MAX SCALED: [-8, 8]"), qPrintable(view.rangeNote()));
        QVERIFY(view.canvas().colourScale());
        QCOMPARE(view.canvas().colourScale()->label, QString("min–max scaled"));
        QCOMPARE(qGray(view.canvas().image().pixel(4, 4)), int(std::lround((inside + 8) / 16 * 255)));

        // And off again: back to raw.
        view.controls().setScaling(ValueScaling::Raw);
        QCOMPARE(view.rendered().range.hi, 1.0);
        QVERIFY(view.rangeNote().startsWith("raw values"));
    }

    void samplesFarOutsideTheRangeAreReported()
    {
        Engine engine;
        QVERIFY(engine.open(QStringLiteral("oracle:gaussian?mean=-6.9&std=10.1&shape=1x8x8")));
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.show();
        view.controls().setSamplerSettings(SamplerSettings::of("ddim", 20));
        view.controls().setBatch(8);
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running() && view.document().frameCount() == 21, 30000);
        view.timeline().last();
        const auto samples = view.runner().lastSummary().samples;
        const double expected = shareOutside(samples);
        QVERIFY2(expected > 0.8, qPrintable(QString::number(expected))); // N(−6.9, 10.1²): ~90% beyond ±1
        QCOMPARE(view.rendered().range.hi, 1.0);
        QVERIFY(std::abs(view.rendered().outsideShare - expected) < 0.01); // the document stores float16: a value may round across ±1
        const auto percent = QString::number(100 * view.rendered().outsideShare, 'f', 1);
        QVERIFY2(view.rangeNote().contains(percent + "% of values outside"), qPrintable(view.rangeNote()));
    }

    void nonFiniteValuesAreCountedApart()
    {
        auto x = at::tensor({0.5f, 2.0f, NAN, INFINITY});
        const auto count = countOutside(x, {-1, 1});
        QCOMPARE(count.nonFinite, int64_t(2));
        QCOMPARE(count.share, 0.5); // of the 2 finite values, 2.0 is outside
        QCOMPARE(countOutside(at::zeros({0}), {-1, 1}).share, 0.0);
    }
};

DS_TEST_SUITE(RawValuesTest, "raw_values");
#include "test_raw_values.moc"
