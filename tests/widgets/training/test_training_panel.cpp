// The Training tab: a job launched from the form runs in the background while the UI keeps
// processing events, streams progress and losses into the table and chart, cancels promptly
// with a checkpoint, resumes, and hands its checkpoint to the viewer; bad configs are reported.
#include "widgets/common/chart_adapter.h"
#include "widgets/training/training_form.h"
#include "widgets/training/training_panel.h"

#include "tests/support/test_registry.h"
#include "tests/support/toy_training.h"

#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace ds;

namespace {

TrainingConfig tinyToy(const QTemporaryDir& dir, int64_t steps, const std::string& name)
{
    return test::tinyToyRun(dir.path().toStdString(), name, steps);
}

// Waits, processing events, until `done` holds (up to `ms`).
template <typename F>
bool waitFor(F done, int ms = 60000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < ms)
        QTest::qWait(20);
    return done();
}

} // namespace

class TrainingPanelTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void startStreamAndCancel()
    {
        TrainingPanel panel;
        panel.form().load(tinyToy(dir_, 10000000, "cancelled"));
        const int id = panel.startFromForm();
        QVERIFY(id > 0);
        QCOMPARE(panel.selectedJob(), id);
        // Progress arrives while the event loop keeps turning (the UI is not blocked).
        QVERIFY(waitFor([&] { return panel.service().job(id).progress.step > 20; }));
        QVERIFY(waitFor([&] { return !panel.lossChart().series().isEmpty(); }));
        QElapsedTimer clock;
        clock.start();
        panel.cancelSelected();
        QVERIFY(waitFor([&] { return panel.service().job(id).state == JobState::Cancelled; }, 5000));
        qInfo("cancelled %lld ms after the request", static_cast<long long>(clock.elapsed()));
        const auto snapshot = panel.service().job(id);
        QVERIFY(!snapshot.checkpoint.empty()); // cancel saves the work

        QSignalSpy open(&panel, &TrainingPanel::openCheckpointRequested);
        QPushButton* openButton = nullptr;
        for (auto* b : panel.findChildren<QPushButton*>())
            if (b->text().startsWith("Open checkpoint"))
                openButton = b;
        QVERIFY(openButton);
        QVERIFY(waitFor([&] { return openButton->isEnabled(); }, 5000)); // once the panel has the update
        openButton->click();
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.front().front().toString(), QString::fromStdString(snapshot.checkpoint));
    }

    // A 2D toy run: its previews are scatter plots that reach the panel every preview_every
    // steps (they used to be dropped as "not images"), its rate counts points, and the loss
    // chart labels whole decades and whole steps.
    void toyRunShowsPreviewsPointRatesAndReadableAxes()
    {
        TrainingPanel panel;
        panel.resize(1200, 800);
        panel.show();
        auto config = tinyToy(dir_, 10000000, "previews");
        config.previewEvery = 20;
        config.previewCount = 64;
        panel.form().load(config);
        auto* every = panel.form().findChild<QSpinBox*>("previewEvery");
        QVERIFY(every);
        QCOMPARE(every->value(), 20); // the form shows (and keeps) the job's preview interval
        const int id = panel.startFromForm();
        QVERIFY(id > 0);
        QVERIFY2(panel.previewText().contains("20"), qPrintable(panel.previewText()));
        auto* table = panel.findChild<QTableWidget*>();
        QVERIFY(table);
        QVERIFY(waitFor([&] { return table->item(0, 4) && table->item(0, 4)->text().contains("points/s"); }));
        QVERIFY(waitFor([&] { return !panel.previewImage().isNull(); }));
        QCOMPARE(panel.previewImage().size(), QSize(256, 256)); // one scatter plot of the batch
        QVERIFY(waitFor([&] { return panel.service().job(id).progress.step > 60; }));
        panel.cancelSelected();
        QVERIFY(waitFor([&] { return panel.service().job(id).state == JobState::Cancelled; }, 5000));
        auto& chart = panel.lossChart();
        chart.flush();
        for (const auto& label : chart.xTickLabels()) {
            bool whole = false;
            label.toLongLong(&whole);
            QVERIFY2(whole, qPrintable(chart.xTickLabels().join(' ')));
        }
        QVERIFY(chart.yTickLabels().size() >= 2);
        for (const auto& label : chart.yTickLabels()) { // powers of ten, one per decade
            const double v = label.toDouble();
            QVERIFY2(v > 0 && std::abs(std::log10(v) - std::round(std::log10(v))) < 1e-9, qPrintable(label));
        }
    }

    void resumeContinuesToANewTotal()
    {
        TrainingPanel panel;
        panel.form().load(tinyToy(dir_, 30, "resumed"));
        const int first = panel.startFromForm();
        QVERIFY(waitFor([&] { return panel.service().job(first).state == JobState::Finished; }));
        auto* total = panel.findChild<QSpinBox*>("resumeSteps");
        QVERIFY(total);
        QVERIFY(waitFor([&] { return total->value() == 30; })); // the panel shows the finished total
        total->setValue(45);
        const int second = panel.resumeSelected();
        QVERIFY(second > first);
        QVERIFY(waitFor([&] { return panel.service().job(second).state == JobState::Finished; }));
        QCOMPARE(panel.service().job(second).progress.step, int64_t(45));
        QCOMPARE(panel.service().job(second).progress.steps, int64_t(45));
    }

    void badConfigIsReportedNotStarted()
    {
        TrainingPanel panel;
        auto c = tinyToy(dir_, 10, "bad");
        panel.form().load(c);
        for (auto* edit : panel.form().findChildren<QLineEdit*>())
            if (edit->text().startsWith("{"))
                edit->setText("{not json");
        QSignalSpy errors(&panel, &TrainingPanel::errorOccurred);
        QCOMPARE(panel.startFromForm(), -1);
        QCOMPARE(errors.count(), 1);
        const auto message = errors.front().front().toString();
        QVERIFY2(message.contains("network: not valid JSON") && !message.contains("json.exception"), qPrintable(message));
    }
};

DS_TEST_SUITE(TrainingPanelTest, "training_panel");
#include "test_training_panel.moc"
