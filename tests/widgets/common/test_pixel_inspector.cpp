// The pixel inspector as a user meets it in the trajectory view: on a 2D point model it says
// there are no pixels (no values left from an image model, no marker), its rows wrap instead
// of clipping, and in a forward run it says the SNR comes from the schedule and the data x0
// rather than calling x̂0 "not computed" beside an SNR "from x0".
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/sampler_settings.h"
#include "widgets/trajectory/pixel_inspector.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/frame_kind.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QLabel>
#include <QTest>

using namespace ds;
using namespace ds::test;

class PixelInspectorTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forwardRunSaysWhereTheSnrComesFrom()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        auto s = forwardTrajectoryOf(4, 1, 8, 50);
        view.document().setTrajectory(s.trajectory, s.meta);
        view.resize(900, 700);
        view.show();
        view.timeline().setFrame(25);
        view.inspect(1, 3, 4);
        const auto text = view.inspector().text();
        QVERIFY2(text.contains("sample 1, x 3, y 4, t 25 / 50"), qPrintable(text));
        QVERIFY2(!text.contains("not computed"), qPrintable(text));
        QVERIFY2(text.contains("forward") && text.contains("schedule") && text.contains("data x0"), qPrintable(text));
        QCOMPARE(view.canvas().markers().size(), 1);
        // Nothing is clipped: every row wraps and is as tall as its wrapped text.
        QTest::qWait(50);
        for (auto* label : view.inspector().findChildren<QLabel*>()) {
            if (!label->buddy() && label->wordWrap()) {
                QVERIFY2(label->height() >= label->heightForWidth(label->width()), qPrintable(label->text()));
            }
        }
        int wrapped = 0;
        for (auto* label : view.inspector().findChildren<QLabel*>())
            wrapped += label->wordWrap();
        QVERIFY(wrapped >= 6);
    }

    void pointModelsShowNoStalePixel()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        view.resize(900, 700);
        view.show();
        auto s = forwardTrajectoryOf(4, 1, 8, 50); // an image trajectory was inspected first
        view.document().setTrajectory(s.trajectory, s.meta);
        view.timeline().setFrame(10);
        view.inspect(0, 2, 2);
        QVERIFY(view.inspector().text().contains("sample 0"));
        QVERIFY(engine.open("oracle:two-moons?n=300&T=100"));
        view.controls().setSamplerSettings(SamplerSettings::of("ddim", 10));
        view.run();
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running() && view.document().frameCount() == 11, 30000);
        view.timeline().setFrame(5);
        const auto text = view.inspector().text();
        QVERIFY2(text.contains("2-D points"), qPrintable(text));
        QVERIFY2(!text.contains("sample 0"), qPrintable(text)); // no value left from the image model
        QVERIFY(view.canvas().markers().isEmpty());             // and no red box on the scatter plot
        QVERIFY(!view.inspector().isEnabled());
    }

    // ε̂ and Δ are gray levels that are not data values: the canvas shows what they mean.
    void differenceAndNoiseViewsCarryAColourScale()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        auto s = forwardTrajectoryOf(4, 1, 8, 50);
        view.document().setTrajectory(s.trajectory, s.meta);
        view.show();
        view.timeline().setFrame(10);
        QVERIFY(!view.canvas().colourScale()); // x_t: the data's own range, no bar
        view.controls().setKind(FrameKind::Difference);
        QVERIFY(view.canvas().colourScale().has_value());
        const auto scale = *view.canvas().colourScale();
        QCOMPARE(scale.ramp, ColourRamp::Gray);
        QCOMPARE(scale.lo, -scale.hi); // ±max|Δ|
        QCOMPARE(scale.lo, view.rendered().range.lo);
        view.controls().setKind(FrameKind::State);
        QVERIFY(!view.canvas().colourScale());
    }
};

DS_TEST_SUITE(PixelInspectorTest, "pixel_inspector");
#include "test_pixel_inspector.moc"
