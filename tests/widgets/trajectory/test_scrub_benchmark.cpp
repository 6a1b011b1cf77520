// The scrubbing budget of issue 4: a computed T = 1000 trajectory of one 128×128×3 image must
// draw each new frame within 16 ms. Times showFrame() + a synchronous repaint of the canvas
// (the whole path from a frame request to pixels in the backing store) for all 1001 frames,
// for x_t and for the difference view, and reports mean / p99 / max with qInfo. The numbers
// go to docs/benchmarks.md; there is no timed assertion (machines differ).
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/image_canvas.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/io/image_io.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTest>

#include <algorithm>
#include <numeric>
#include <vector>

using namespace ds;
using namespace ds::test;

namespace {

struct Timing {
    double mean = 0, p99 = 0, max = 0;
    double render = 0, paint = 0; // mean of the two parts
};

Timing scrubAll(TrajectoryView& view)
{
    std::vector<double> ms;
    double render = 0, paint = 0;
    const int n = view.document().frameCount();
    QElapsedTimer clock;
    for (int i = 0; i < n; ++i) {
        clock.start();
        view.showFrame(i); // request → frame tensor → grid image → handed to the canvas
        const double r = double(clock.nsecsElapsed()) / 1e6;
        view.canvas().repaint(); // draw it now (scaled, crisp) instead of at the next event loop turn
        const double total = double(clock.nsecsElapsed()) / 1e6;
        ms.push_back(total);
        render += r;
        paint += total - r;
    }
    std::sort(ms.begin(), ms.end());
    Timing t;
    t.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
    t.p99 = ms[size_t(double(ms.size() - 1) * 0.99)];
    t.max = ms.back();
    t.render = render / n;
    t.paint = paint / n;
    return t;
}

void report(const char* what, const Timing& t, const ImageCanvas& canvas)
{
    qInfo("scrub %s, T=1000, 128x128x3, UI-thread tensor threads %d, canvas %dx%d at %.0fx: mean %.3f ms (render %.3f + paint %.3f), "
          "p99 %.3f ms, max %.3f ms per frame",
          what, at::get_num_threads(), canvas.width(), canvas.height(), canvas.effectiveZoom(), t.mean, t.render,
          t.paint, t.p99, t.max);
}

} // namespace

class ScrubBenchmarkTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scrubT1000At128x128x3()
    {
        Engine engine;
        TrajectoryView view(engine.model);
        view.setAutoRun(false);
        auto s = forwardTrajectoryOf(1, 3, 128, 1000);
        const QString photo = QStringLiteral("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
        if (QFileInfo::exists(photo) && imageIoAvailable()) { // a real photo when there is one
            ImageLoadOptions options;
            options.size = 128;
            auto x0 = loadImage(photo.toStdString(), options).unsqueeze(0);
            Schedule schedule(s.meta.schedule, s.meta.range);
            NoiseSource noise(0);
            ForwardOptions fo;
            fo.storage = Trajectory::Storage::Float16;
            s.trajectory = forwardTrajectory(schedule, x0, fo, noise);
            s.meta.x0 = x0;
        }
        view.document().setTrajectory(s.trajectory, s.meta);
        view.resize(1400, 950);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.document().frameCount(), 1001);
        QCOMPARE(view.canvas().image().size(), QSize(130, 130)); // one tile with its 1-pixel frame
        report("x_t", scrubAll(view), view.canvas());
        view.controls().setKind(FrameKind::Difference);
        report("difference view", scrubAll(view), view.canvas());
        QCOMPARE(view.currentFrame(), 1000);
    }
};

DS_TEST_SUITE(ScrubBenchmarkTest, "scrub_benchmark");
#include "test_scrub_benchmark.moc"
