// widgets/snr/schedule_editor over schedule_preview: the first preview is the preset itself,
// the cached noise makes the same schedule give the same pixels, a burst of drags becomes few
// engine runs and the last one wins, a mouse drag moves a point, bad points are refused, and
// the export is a schedule the trainer reads.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/snr/log_snr_curve_editor.h"
#include "widgets/snr/schedule_editor.h"
#include "widgets/snr/snr_panel.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace ds;
using namespace ds::test;

namespace {

bool settle(ScheduleEditor& e) { return QTest::qWaitFor([&] { return !e.busy(); }, 60000); }

at::Tensor pathOf(ScheduleEditor& e) { return e.result().pathTensor.clone(); }

} // namespace

class ScheduleEditorTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed");
    }

    void firstPreviewIsThePreset()
    {
        ScheduleEditor editor;
        editor.show();
        QVERIFY(settle(editor));
        const auto& r = editor.result();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(!editor.edited());
        QCOMPARE(r.schedule.kind, ScheduleKind::Linear); // not the points' table
        QCOMPARE(r.alphaBar.size(), 2);
        QVERIFY(r.alphaBar[0].points.front().y() > 0.999);
        QVERIFY(r.alphaBar[0].points.back().y() < 1e-3);
        QCOMPARE(r.sampleTensor.sizes(), (at::IntArrayRef{8, 1, 28, 28}));
        QVERIFY(r.forward.height() >= 28 && r.forward.height() < 2 * 28);
        QVERIFY(r.forward.width() >= 7 * 28); // seven frames side by side
        QCOMPARE(r.pathTensor.sizes(), (at::IntArrayRef{5, 8, 1, 28, 28})); // x_T, x̂0 after 5, 10, 15, the sample
        QVERIFY(at::equal(r.pathTensor[-1], r.sampleTensor));
        QVERIFY(r.samples.height() >= 4 * 28 && r.samples.width() >= 5 * 28); // 4 samples × 5 states
        QVERIFY(r.sampleTensor.isfinite().all().item<bool>());
        QVERIFY(editor.message().contains("DDIM"));
        QCOMPARE(editor.controlPoints().points.size(), size_t(9));
    }

    // Same ε and x_T for every schedule: going back to a schedule gives back its pixels.
    void cachedNoiseMakesSchedulesComparable()
    {
        ScheduleEditor editor;
        editor.show();
        QVERIFY(settle(editor));
        const auto linear = pathOf(editor);
        const auto forward = editor.result().forward;
        editor.setPreset(ScheduleSpec::cosine(1000));
        QVERIFY(settle(editor));
        QCOMPARE(editor.result().schedule.kind, ScheduleKind::Cosine);
        QVERIFY(at::equal(pathOf(editor)[0], linear[0])); // the same x_T
        QVERIFY(!at::equal(pathOf(editor), linear));      // another path
        editor.setPreset(ScheduleSpec::linear(1000));
        QVERIFY(settle(editor));
        QVERIFY(at::equal(pathOf(editor), linear));
        QCOMPARE(editor.result().forward, forward);
    }

    // 30 drag steps without a pause and 15 with 10 ms between them (a mouse drag's pace):
    // the coalescing timer and the one-at-a-time rule start a few previews, not 45, and the
    // shown result is the last drag's schedule.
    void burstOfDragsCoalescesAndTheLastWins()
    {
        ScheduleEditor editor;
        editor.show();
        QVERIFY(settle(editor));
        const int before = editor.previewsStarted();
        const auto start = editor.controlPoints().points[4];
        for (int i = 1; i <= 30; ++i) {
            editor.curve().dragPoint(4, {start.t, start.logSnr - 0.01 * i});
            QCoreApplication::processEvents();
        }
        for (int i = 1; i <= 15; ++i) {
            editor.curve().dragPoint(4, {start.t + i, start.logSnr - 0.4 - 0.02 * i});
            QTest::qWait(10);
        }
        QVERIFY(settle(editor));
        const int runs = editor.previewsStarted() - before;
        qInfo("%d previews for 45 drag steps; the last took: %s", runs, qPrintable(editor.message()));
        QVERIFY2(runs >= 1 && runs <= 4, qPrintable(QString("%1 previews for 45 drags").arg(runs)));
        QVERIFY(editor.edited());
        QCOMPARE(editor.controlPoints().points[4].logSnr, start.logSnr - 0.4 - 0.02 * 15);
        QCOMPARE(editor.controlPoints().points[4].t, start.t + 15);
        QCOMPARE(editor.result().schedule.kind, ScheduleKind::AlphasCumprod);
        QCOMPARE(editor.result().schedule.values, toScheduleSpec(editor.controlPoints()).values);
    }

    void mouseDragMovesAPoint()
    {
        ScheduleEditor editor;
        editor.resize(1200, 800);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QVERIFY(settle(editor));
        auto& curve = editor.curve();
        QSignalSpy edits(&curve, &LogSnrCurveEditor::pointsEdited);
        const auto p = curve.points().points[3];
        const auto from = curve.toScreen(p.t, p.logSnr).toPoint();
        QCOMPARE(curve.pointNear(from), 3);
        QTest::mousePress(&curve, Qt::LeftButton, {}, from);
        QTest::mouseMove(&curve, from + QPoint(0, 30));
        QTest::mouseRelease(&curve, Qt::LeftButton, {}, from + QPoint(0, 30));
        QVERIFY(edits.count() >= 1);
        QVERIFY(curve.points().points[3].logSnr < p.logSnr); // down the screen is lower λ
        QVERIFY(settle(editor));
        QVERIFY(editor.edited());
        QCOMPARE(editor.result().schedule.values, toScheduleSpec(editor.controlPoints()).values);
    }

    void nonMonotonePointsAreRefused()
    {
        ScheduleEditor editor;
        QVERIFY(settle(editor));
        const auto before = editor.controlPoints();
        ControlPointSchedule bad{1000, {{1, 5}, {500, 6}, {1000, -5}}, LogSnrInterpolation::Linear};
        const auto message = editor.setControlPoints(bad);
        QVERIFY2(message.contains("decrease strictly"), qPrintable(message));
        QVERIFY(editor.message().contains("decrease strictly"));
        QCOMPARE(editor.controlPoints().points.size(), before.points.size());
        QVERIFY(!editor.edited());
    }

    void exportIsATrainerSchedule()
    {
        QTemporaryDir dir;
        ScheduleEditor editor;
        QVERIFY(settle(editor));
        const auto p = editor.controlPoints().points[2];
        editor.curve().dragPoint(2, {p.t, p.logSnr + 0.5});
        QVERIFY(editor.exportTo(dir.filePath("mine")).isEmpty());
        std::ifstream in(dir.filePath("mine.json").toStdString());
        const auto spec = scheduleSpecFromJson(nlohmann::json::parse(in), "mine.json");
        QCOMPARE(spec.values, editor.editedSpec().values);
        QVERIFY(QFile::exists(dir.filePath("mine.betas.npy")));
        const auto error = editor.exportTo(dir.filePath("no/such/folder/x"));
        QVERIFY2(error.contains("no/such/folder"), qPrintable(error));
        QVERIFY(settle(editor));
    }

    void snrPanelHoldsTheEditor()
    {
        SnrPanel panel;
        panel.showScheduleEditor();
        auto& editor = panel.scheduleEditor();
        QCOMPARE(&editor, &panel.scheduleEditor());
        QVERIFY(settle(editor));
        QVERIFY(editor.result().error.isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return !panel.busy(); }, 30000));
    }
};

DS_TEST_SUITE(ScheduleEditorTest, "schedule_editor");
#include "test_schedule_editor.moc"
