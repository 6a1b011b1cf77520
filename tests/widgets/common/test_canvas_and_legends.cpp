// The shared view pieces as a user meets them: charts (one label per decade on log axes,
// whole-number step ticks, tidy linear ticks, the whole legend, PNG exports drawn at the
// export size), colour bars with readable ticks, the image canvas (scrollbars, wheel zoom,
// dragging), recent files with full paths, and a status bar whose parts elide.
#include "recent_files.h"
#include "status_panel.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/colour_legend.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/elided_label.h"
#include "widgets/engine/engine_messages.h"

#include <QApplication>
#include <QDir>
#include <QMenu>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <cmath>

using namespace ds;

namespace {

PlotSeries line(const QString& name, std::function<double(int)> y, int n, QColor colour = Qt::blue)
{
    PlotSeries s;
    s.name = name;
    s.colour = colour;
    for (int i = 1; i <= n; ++i)
        s.points.append({double(i), y(i)});
    return s;
}

bool isWholeNumber(const QString& label)
{
    bool ok = false;
    label.toLongLong(&ok);
    return ok;
}

// Rows [y0, y1) of `image` hold a pixel darker than light grey.
bool hasInk(const QImage& image, int y0, int y1)
{
    for (int y = y0; y < y1; ++y)
        for (int x = 0; x < image.width(); ++x)
            if (qGray(image.pixel(x, y)) < 160)
                return true;
    return false;
}

} // namespace

class CanvasAndLegendsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { QSettings().clear(); }

    // A loss falling from 1.3 to 0.2 over 91 steps: the training chart's case in issue 14.
    void logLossChartLabelsDecadesAndWholeSteps()
    {
        PlotWidget plot;
        plot.setLogY(true);
        plot.setIntegerX(true);
        plot.setSeries({line("loss", [](int i) { return 1.3 * std::exp(-0.02 * i); }, 91)});
        plot.flush();
        QCOMPARE(plot.yTickLabels(), (QStringList{"0.1", "1", "10"}));
        const auto x = plot.xTickLabels();
        QVERIFY(x.size() >= 3);
        for (const auto& label : x)
            QVERIFY2(isWholeNumber(label), qPrintable(x.join(' ')));
        // Many decades: every decade between, each a power of ten.
        plot.setSeries({line("snr", [](int i) { return std::pow(10.0, -4 + 0.1 * i); }, 60)});
        plot.flush();
        QCOMPARE(plot.yTickLabels(), (QStringList{"1e-4", "1e-3", "0.01", "0.1", "1", "10", "100"}));
    }

    void linearChartsGetTidyTicks()
    {
        PlotWidget plot;
        plot.setXRange(0, 1);
        plot.setSeries({line("mean", [](int i) { return -0.004 + i / 100.0; }, 100)});
        plot.flush();
        QCOMPARE(plot.xTickLabels(), (QStringList{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
        for (const auto& label : plot.yTickLabels()) // tenths or fifths, no −0.02 / 0.21 ends
            QVERIFY2(std::abs(label.toDouble() * 10 - std::round(label.toDouble() * 10)) < 1e-9, qPrintable(label));
    }

    void legendShowsEveryNameInFullAndWraps()
    {
        PlotWidget plot;
        plot.resize(320, 300);
        plot.show();
        QVector<PlotSeries> series;
        for (int b = 0; b < 6; ++b)
            series.append(line(QStringLiteral("bin [0.%1, 0.%2): 2210 px, mean 0.%1%2").arg(b).arg(b + 1), [b](int i) { return b + i; }, 5));
        plot.setSeries(series);
        plot.flush();
        QStringList names;
        for (const auto& s : series)
            names << s.name;
        QCOMPARE(plot.legendLabels(), names);
        QTest::qWait(20);
        // Drawn whole at 320 pixels (each on a row of its own), nothing cut to "bin [0.00, 0.25): 22...".
        QCOMPARE(plot.shownLegendLabels(), names);
    }

    void pngExportIsDrawnAtTheExportSize()
    {
        QTemporaryDir dir;
        PlotWidget plot;
        plot.resize(300, 220); // small on screen; the export is 1200 × 800 all the same
        plot.show();
        QVector<PlotSeries> series;
        for (int b = 0; b < 8; ++b)
            series.append(line(QStringLiteral("a long legend entry number %1 with its statistics").arg(b), [b](int i) { return b + i; }, 20,
                               QColor::fromHsv(b * 40, 200, 200)));
        plot.setSeries(series);
        const auto path = dir.filePath("chart.png");
        QCOMPARE(plot.savePng(path), QString());
        QImage image(path);
        QCOMPARE(image.size(), QSize(1200, 800));
        // The chart fills the image: its plot area and axes reach the bottom third, and the
        // legend rows sit at the very bottom (no blank band).
        QVERIFY(hasInk(image, 540, 700));
        QVERIFY(hasInk(image, 740, 800));
    }

    void colourBarTicksAreReadable()
    {
        ColourScale log;
        log.log = true;
        log.lo = -2.2; // log10 values, as the SNR map has them
        log.hi = 1.3;
        QStringList labels;
        for (const auto& t : colourBarTicks(log)) {
            labels << t.label;
            QVERIFY(t.position >= 0 && t.position <= 1);
        }
        QCOMPARE(labels, (QStringList{"0.01", "0.1", "1", "10"})); // not "1e-2.2"
        ColourScale narrow = log;
        narrow.lo = -2.2, narrow.hi = -2.1; // inside one decade: the ends, as numbers
        const auto ends = colourBarTicks(narrow);
        QCOMPARE(ends.size(), 2);
        QCOMPARE(ends[0].label, QStringLiteral("0.0063"));
        QCOMPARE(ends[1].label, QStringLiteral("0.0079"));
        ColourScale linear;
        linear.lo = -3, linear.hi = 3;
        labels.clear();
        for (const auto& t : colourBarTicks(linear))
            labels << t.label;
        QCOMPARE(labels, (QStringList{"-2", "0", "2"})); // ε̂'s ±3 range: whole 1-2-5 steps inside it
    }

    void zoomedCanvasScrollsAndWheelZoomsAboutTheMouse()
    {
        ImageCanvas canvas;
        canvas.resize(200, 200);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QImage image(64, 64, QImage::Format_RGB32);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x)
                image.setPixel(x, y, qRgb(x * 4, y * 4, 0));
        canvas.setImage(image);
        QCOMPARE(canvas.horizontalScrollBar()->maximum(), 0); // fit: nothing to scroll
        canvas.setZoom(8);
        QTRY_VERIFY(canvas.horizontalScrollBar()->isVisible());
        QVERIFY(canvas.horizontalScrollBar()->maximum() > 0);
        QVERIFY(canvas.verticalScrollBar()->maximum() > 0);
        // The wheel zooms in about the pixel under the mouse.
        const QPoint at(60, 70);
        const auto before = canvas.imagePixelAt(at);
        QWheelEvent wheel(at, canvas.viewport()->mapToGlobal(at), {}, {0, 120}, Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas.viewport(), &wheel);
        QCOMPARE(canvas.zoom(), 16.0);
        QCOMPARE(canvas.imagePixelAt(at), before);
        // A drag pans: the scrollbar moves with it.
        const int h = canvas.horizontalScrollBar()->value();
        QTest::mousePress(canvas.viewport(), Qt::LeftButton, {}, QPoint(100, 100));
        QTest::mouseMove(canvas.viewport(), QPoint(60, 100));
        QTest::mouseRelease(canvas.viewport(), Qt::LeftButton, {}, QPoint(60, 100));
        QCOMPARE(canvas.horizontalScrollBar()->value(), h + 40);
    }

    void recentFilesTellSameNamesApartAndShowFullPaths()
    {
        const QStringList specs{"/runs/a/model.dsckpt", "/runs/b/model.dsckpt", "/x/other.pt", "oracle:gaussian?std=1"};
        QCOMPARE(recentLabels(specs), (QStringList{"a/model.dsckpt", "b/model.dsckpt", "other.pt", "oracle:gaussian?std=1"}));
        QCOMPARE(recentLabels({"/p/q/m.pt", "/r/q/m.pt"}), (QStringList{"p/q/m.pt", "r/q/m.pt"}));
        QMenu menu;
        RecentFiles recent(&menu);
        for (auto it = specs.rbegin(); it != specs.rend(); ++it)
            recent.add(*it);
        QVERIFY(menu.toolTipsVisible());
        const auto actions = menu.actions();
        QVERIFY(actions.size() >= 4);
        QVERIFY(actions[0]->text().endsWith("a/model.dsckpt"));
        QCOMPARE(actions[0]->toolTip(), QDir::toNativeSeparators("/runs/a/model.dsckpt"));
    }

    void statusBarPartsElideAndLeaveRoomForMessages()
    {
        QStatusBar bar;
        bar.resize(1500, 30); // the window's width
        StatusPanel panel(&bar);
        bar.show();
        ModelSummary s;
        s.source = "oracle:fashion-mnist?n=2000&schedule=pixel-aware&gamma=20&epsilon=0.004&T=200&extra=long";
        s.kind = "oracle-empirical";
        s.device = "cpu";
        s.schedule = "pixel-aware T=200 gamma=20 epsilon=0.004 (per-pixel ᾱ, seed 002)";
        s.shape = "1×28×28";
        s.range = "[0.004, 1]";
        s.dataset = "fashion-mnist";
        panel.showModel(s);
        QTest::qWait(50);
        auto* model = bar.findChild<ElidedLabel*>("statusModel");
        QVERIFY(model);
        QVERIFY(model->width() <= model->maximumWidth());
        QVERIFY(model->elided());
        QVERIFY(model->toolTip().contains("extra=long")); // the full text is one hover away
        QVERIFY(model->x() >= bar.width() / 3); // the left third of the bar stays free for messages
    }
};

DS_TEST_SUITE(CanvasAndLegendsTest, "canvas_and_legends");
#include "test_canvas_and_legends.moc"
