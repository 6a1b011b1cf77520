// widgets/snr_panel over snr_analysis: curves for clicked pixels and value bins, live T and γ,
// maps with their scale, the prior-mismatch summary, a colour photo, and a bad image.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/image_canvas.h"
#include "widgets/snr/snr_image_source.h"
#include "widgets/snr/snr_panel.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace ds;
using namespace ds::test;

namespace {

bool settle(SnrPanel& panel) { return QTest::qWaitFor([&] { return !panel.busy(); }, 30000); }

int countWith(const QVector<PlotSeries>& series, const QString& prefix)
{
    int n = 0;
    for (const auto& s : series)
        n += s.name.startsWith(prefix) ? 1 : 0;
    return n;
}

} // namespace

class SnrPanelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
    }

    void fashionItemGivesBothSchedulesCurves()
    {
        SnrPanel panel;
        panel.show();
        QVERIFY(settle(panel));
        const auto& r = panel.result();
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.image.size(), QSize(28, 28));
        QCOMPARE(r.pixels.size(), 2);
        const int paCurves = countWith(r.snr, "pixel-aware"), linCurves = countWith(r.snr, "linear");
        QVERIFY(paCurves >= 3 && paCurves == linCurves); // 2 pixels + the non-empty bins, twice
        for (const auto& s : r.snr) {
            QCOMPARE(s.points.size(), s.name.startsWith("pixel-aware") ? 200 : 1000);
            QVERIFY(s.points.front().y() > s.points.back().y()); // SNR decays
        }
        QCOMPARE(r.mean.size(), r.snr.size());
        QCOMPARE(r.variance.front().points.front().y(), 0.0); // Var[x_0] = 0
        panel.snrPlot().flush();
        QCOMPARE(panel.snrPlot().drawnSeriesCount(), int(r.snr.size()));
        QVERIFY2(panel.summaryText().contains("nats/pixel") && panel.summaryText().contains("Var[x_T] < 0.5"),
                 qPrintable(panel.summaryText()));
        QVERIFY(!r.map.isNull() && r.scale.log);
    }

    void tAndGammaUpdateLive()
    {
        SnrPanel panel;
        QVERIFY(settle(panel));
        QSignalSpy updated(&panel, &SnrPanel::updated);
        panel.setSchedule(500, 50);
        QVERIFY(settle(panel));
        QVERIFY(!updated.isEmpty());
        QCOMPARE(panel.result().snr.front().points.size(), 500);
        QVERIFY(panel.summaryText().contains("T=500 gamma=50"));
    }

    void clickingAPixelAddsItsCurve()
    {
        SnrPanel panel;
        panel.resize(1200, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(settle(panel));
        const int before = int(panel.result().pixels.size());
        auto& canvas = panel.canvas();
        QPoint at(canvas.width() / 2 + 17, canvas.height() / 2 + 9);
        const auto pixel = canvas.imagePixelAt(at);
        QVERIFY(pixel.x() >= 0);
        QVector<QColor> colours; // the curves already there
        for (const auto& s : panel.result().snr)
            colours.append(s.colour);
        QTest::mouseClick(canvas.viewport(), Qt::LeftButton, {}, at);
        QVERIFY(settle(panel));
        QCOMPARE(int(panel.result().pixels.size()), before + 1);
        QVERIFY(panel.result().pixels.contains(pixel));
        // A click adds a colour; it does not recolour the pixels already plotted.
        for (int i = 0; i < before; ++i)
            QCOMPARE(panel.result().snr[i].colour, colours[i]);
        // The SNR chart has one label per decade; mean and variance get tidy ticks.
        panel.snrPlot().flush();
        auto labels = panel.snrPlot().yTickLabels();
        QVERIFY(labels.size() >= 3);
        for (const auto& l : labels) {
            const double v = l.toDouble();
            QVERIFY2(v > 0 && std::abs(std::log10(v) - std::round(std::log10(v))) < 1e-9, qPrintable(l));
        }
        for (auto* plot : {&panel.meanPlot(), &panel.variancePlot()}) {
            plot->flush();
            for (const auto& l : plot->yTickLabels())
                QVERIFY2(std::abs(l.toDouble() * 10 - std::round(l.toDouble() * 10)) < 1e-9, qPrintable(l));
        }
        // Legends keep whole names (bins included: "bin [0.00, 0.25): 22 px, mean …").
        panel.snrPlot().flush();
        QTest::qWait(20);
        QCOMPARE(panel.snrPlot().shownLegendLabels(), panel.snrPlot().legendLabels()); // drawn whole
        QVERIFY(panel.snrPlot().legendLabels().join(' ').contains("px, mean"));
    }

    void mapsCarryTheirScale()
    {
        SnrPanel panel;
        panel.setMapKind(SnrMapKind::Variance);
        QVERIFY(settle(panel));
        QVERIFY(panel.result().scale.label.contains("Var"));
        QVERIFY(!panel.result().scale.log);
        QVERIFY(panel.result().scale.lo >= 0 && panel.result().scale.hi <= 1);
        panel.setMapKind(SnrMapKind::Kl);
        panel.setTime(1.0);
        QVERIFY(settle(panel));
        QVERIFY(panel.result().scale.label.contains("KL"));
        QVERIFY(panel.result().mapTitle.contains("t = 200 / 200"));
    }

    void worksOnAColourPhoto()
    {
        const auto photos = samplePhotoPaths();
        if (photos.isEmpty())
            QSKIP("python3-skimage sample images not installed");
        SnrPanel panel;
        panel.setSource(photos.first());
        QVERIFY(settle(panel));
        QCOMPARE(panel.result().channels, 3);
        QCOMPARE(std::max(panel.result().image.width(), panel.result().image.height()), 128);
        QVERIFY(!panel.result().map.isNull());
        QVERIFY(!panel.result().snr.isEmpty());
    }

    void badImageIsReported()
    {
        SnrPanel panel;
        QVERIFY(settle(panel));
        QSignalSpy failed(&panel, &SnrPanel::failed);
        panel.setSource("/no/such/image.png");
        QVERIFY(settle(panel));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains("/no/such/image.png"));
        panel.setSource(fashionSource(3)); // and it recovers
        QVERIFY(settle(panel));
        QCOMPARE(panel.result().image.size(), QSize(28, 28));
    }
};

DS_TEST_SUITE(SnrPanelTest, "snr_panel");
#include "test_snr_panel.moc"
