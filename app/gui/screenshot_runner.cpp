#include "screenshot_runner.h"

#include "main_window.h"

#include "widgets/common/sampler_settings_editor.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/engine/model_session.h"
#include "widgets/snr/snr_panel.h"
#include "widgets/training/training_form.h"
#include "widgets/training/training_panel.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QTabWidget>
#include <QThread>
#include <QTimer>

#include <functional>

namespace ds {
namespace {

// Spins the event loop until `done` holds or `ms` pass.
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

bool save(MainWindow& w, int tab, const QString& path)
{
    w.tabs().setCurrentIndex(tab);
    waitUntil([] { return false; }, 600); // let layouts settle and coalesced plots draw
    return w.grab().save(path);
}

// A short Fashion-MNIST job with frequent previews, so the tab shows progress, a loss curve
// and a preview grid.
bool captureTraining(MainWindow& w, const QDir& dir)
{
    auto config = presetTrainingConfig("fashion-mnist-ddpm");
    config.name = "screenshot-" + std::to_string(QDateTime::currentMSecsSinceEpoch()); // a fresh run folder
    config.outputDir = QDir::temp().filePath("diffscope-screenshot-runs").toStdString();
    config.network["base_channels"] = 8;
    config.steps = 120;
    config.warmup = 10;
    config.previewEvery = 60;
    config.checkpointEvery = 0;
    auto& panel = w.trainingPanel();
    panel.form().load(config);
    w.tabs().setCurrentIndex(MainWindow::TrainingTab);
    const int id = panel.startFromForm();
    const bool ok = id > 0 && waitUntil([&] { return panel.service().job(id).progress.step >= 90; }, 600000);
    return ok && save(w, MainWindow::TrainingTab, dir.filePath("training.png"));
}

// The trajectory tab's sampler form with `sampler` chosen as a user would (its combo box),
// `tune` applied to its option controls, grabbed alone.
bool captureSamplerForm(MainWindow& w, const QString& sampler, const std::function<void(SamplerSettingsEditor&)>& tune,
                        const QString& path)
{
    auto& editor = w.trajectoryView().controls().samplerEditor();
    const auto before = editor.settings();
    w.tabs().setCurrentIndex(MainWindow::TrajectoryTab);
    qobject_cast<QComboBox*>(editor.field("sampler"))->setCurrentText(sampler);
    if (tune)
        tune(editor);
    waitUntil([] { return false; }, 300);
    auto* box = editor.parentWidget(); // the "Sampler" group with its note
    const bool ok = box && box->grab().save(path);
    editor.setSettings(before);
    return ok;
}

bool capture(MainWindow& w, const QString& folder)
{
    QDir().mkpath(folder);
    const QDir dir(folder);
    auto& traj = w.trajectoryView();
    bool ok = waitUntil([&] { return w.model().hasModel(); }, 120000);
    ok = ok && waitUntil([&] { return !traj.runner().running() && traj.document().frameCount() > 1; }, 300000);
    traj.timeline().setFrame(int(traj.document().frameCount() * 0.8)); // late in the run: shapes under the last noise
    traj.inspect(0, 14, 14);
    ok = ok && save(w, MainWindow::TrajectoryTab, dir.filePath("trajectory-view.png"));
    ok = ok && captureSamplerForm(w, "picard-ddim", {}, dir.filePath("sampler-settings-picard-ddim.png"));
    ok = ok && captureSamplerForm(
                   w, "edm-heun",
                   [](SamplerSettingsEditor& e) {
                       qobject_cast<QDoubleSpinBox*>(e.field("churn"))->setValue(40); // shows S_tmin/S_tmax
                       qobject_cast<QComboBox*>(e.field("spacing"))->setCurrentText("karras"); // shows ρ
                   },
                   dir.filePath("sampler-settings-edm-heun.png"));
    w.snrPanel().addPixel({20, 8});
    ok = ok && waitUntil([&] { return !w.snrPanel().busy(); }, 60000);
    ok = ok && save(w, MainWindow::SnrTab, dir.filePath("snr-panel.png"));
    w.tabs().setCurrentIndex(MainWindow::CompareTab);
    ok = ok && waitUntil([&] { return !w.comparisonView().running(); }, 600000);
    w.comparisonView().setTime(0.3); // mid-way, where the samplers differ most
    ok = ok && save(w, MainWindow::CompareTab, dir.filePath("sampler-comparison.png"));
    w.snrPanel().setSource(QStringLiteral("/usr/lib/python3/dist-packages/skimage/data/astronaut.png"));
    w.snrPanel().setSchedule(500, 50); // seed 002's 128×128 setting
    ok = ok && waitUntil([&] { return !w.snrPanel().busy(); }, 60000);
    ok = ok && save(w, MainWindow::SnrTab, dir.filePath("snr-panel-photo.png"));
    return ok && captureTraining(w, dir);
}

} // namespace

void scheduleScreenshots(MainWindow& window, const QString& folder)
{
    QTimer::singleShot(0, &window, [&window, folder] {
        const bool ok = capture(window, folder);
        QApplication::exit(ok ? 0 : 1);
    });
}

} // namespace ds
