#include "screenshot_runner.h"

#include "instrument_screenshots.h"
#include "main_window.h"

#include "widgets/common/sampler_settings_editor.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/probe_panel.h"
#include "widgets/engine/model_session.h"
#include "widgets/snr/log_snr_curve_editor.h"
#include "widgets/snr/schedule_editor.h"
#include "widgets/snr/snr_panel.h"
#include "widgets/training/training_form.h"
#include "widgets/training/training_panel.h"
#include "widgets/training/training_scrubber.h"
#include "widgets/trajectory/fork_view.h"
#include "widgets/trajectory/picard_view.h"
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
#include <QSlider>
#include <QTabWidget>
#include <QThread>
#include <QTimer>

#include <functional>

namespace ds {
namespace {

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

// The start-up run filled: the trajectory tab late in its run, a pixel inspected.
bool captureTrajectory(MainWindow& w, const QDir& dir)
{
    auto& traj = w.trajectoryView();
    traj.timeline().setFrame(int(traj.document().frameCount() * 0.8)); // late in the run: shapes under the last noise
    traj.inspect(0, 14, 14);
    return save(w, MainWindow::TrajectoryTab, dir.filePath("trajectory-view.png"));
}

bool captureSamplerForms(MainWindow& w, const QDir& dir)
{
    bool ok = captureSamplerForm(w, "picard-ddim", {}, dir.filePath("sampler-settings-picard-ddim.png"));
    return ok && captureSamplerForm(
                     w, "edm-heun",
                     [](SamplerSettingsEditor& e) {
                         qobject_cast<QDoubleSpinBox*>(e.field("churn"))->setValue(40); // shows S_tmin/S_tmax
                         qobject_cast<QComboBox*>(e.field("spacing"))->setCurrentText("karras"); // shows ρ
                     },
                     dir.filePath("sampler-settings-edm-heun.png"));
}

bool captureSnr(MainWindow& w, const QDir& dir)
{
    w.snrPanel().addPixel({20, 8});
    bool ok = waitUntil([&] { return !w.snrPanel().busy(); }, 60000);
    return ok && save(w, MainWindow::SnrTab, dir.filePath("snr-panel.png"));
}

bool captureComparison(MainWindow& w, const QDir& dir)
{
    w.tabs().setCurrentIndex(MainWindow::CompareTab);
    bool ok = waitUntil([&] { return !w.comparisonView().running(); }, 600000);
    w.comparisonView().setTime(0.3); // mid-way, where the samplers differ most
    return ok && save(w, MainWindow::CompareTab, dir.filePath("sampler-comparison.png"));
}

bool captureSnrPhoto(MainWindow& w, const QDir& dir)
{
    w.snrPanel().setSource(QStringLiteral("/usr/lib/python3/dist-packages/skimage/data/astronaut.png"));
    w.snrPanel().setSchedule(500, 50); // seed 002's 128×128 setting
    bool ok = waitUntil([&] { return !w.snrPanel().busy(); }, 60000);
    return ok && save(w, MainWindow::SnrTab, dir.filePath("snr-panel-photo.png"));
}

// The start-up run forked 40% of the way in with DDPM's noise: parent and fork side by side,
// the drift chart under them.
bool captureFork(MainWindow& w, const QDir& dir)
{
    auto& traj = w.trajectoryView();
    traj.timeline().setFrame(int(traj.document().frameCount() * 0.4));
    auto& fork = traj.forkView();
    fork.editor().setSettings(fork.editor().settings().withSampler("ddpm"));
    traj.pages().setCurrentIndex(1);
    bool ok = fork.fork() && waitUntil([&] { return !fork.running(); }, 300000) && fork.result();
    fork.slider().setValue(fork.slider().maximum() - fork.slider().maximum() / 4);
    ok = ok && save(w, MainWindow::TrajectoryTab, dir.filePath("fork.png"));
    traj.pages().setCurrentIndex(0);
    return ok;
}

// A picard-ddim run of 50 steps, window 8, its residual heatmap read at τ' = 10 τ.
bool capturePicard(MainWindow& w, const QDir& dir)
{
    auto& traj = w.trajectoryView();
    auto s = SamplerSettings::of("picard-ddim", 50);
    s.options.window = 8;
    traj.controls().setSamplerSettings(s);
    traj.controls().setBatch(8);
    traj.run();
    bool ok = waitUntil([&] { return !traj.runner().running() && traj.picardView().hasRecord(); }, 300000);
    traj.picardView().toleranceSlider().setValue(50);
    traj.pages().setCurrentIndex(2);
    ok = ok && save(w, MainWindow::TrajectoryTab, dir.filePath("picard-residuals.png"));
    traj.pages().setCurrentIndex(0);
    return ok;
}

// The comparison aligned by log-SNR: DDPM-100 and DDIM-10 on the linear schedule beside
// DDIM-50 on the cosine one (a model of its own), one pixel probed in every pane.
bool captureProbe(MainWindow& w, const QDir& dir)
{
    auto& view = w.comparisonView();
    w.tabs().setCurrentIndex(MainWindow::CompareTab);
    auto cosine = SamplerSettings::of("ddim", 50);
    cosine.model = QStringLiteral("oracle:fashion-mnist?n=2000&schedule=cosine");
    view.setPaneSettings({SamplerSettings::of("ddpm", 100), SamplerSettings::of("ddim", 10), cosine});
    view.runAll();
    auto done = [&] {
        for (int i = 0; i < view.paneCount(); ++i)
            if (view.pane(i)->summary().completedSteps != view.pane(i)->settings().options.steps)
                return false;
        return !view.running();
    };
    bool ok = waitUntil(done, 600000);
    waitUntil([] { return false; }, 1000); // a pane whose own model opened reruns once fitted
    ok = ok && waitUntil(done, 600000);
    view.setAxis(FrameAxis::LogSnr);
    view.setAxisValue(1.0); // shapes appear: λ = 1 is SNR e ≈ 2.7
    view.probePixel(0, 14, 12);
    ok = ok && waitUntil([&] { return view.probe().curves().size() == view.paneCount(); }, 30000);
    return ok && save(w, MainWindow::CompareTab, dir.filePath("comparison-probe.png"));
}

// The schedule editor on the cosine preset with one point dragged down mid-way: edited vs
// preset curves, the forward strip and the DDIM samples from the cached noise.
bool captureScheduleEditor(MainWindow& w, const QDir& dir)
{
    w.tabs().setCurrentIndex(MainWindow::SnrTab);
    w.snrPanel().showScheduleEditor();
    auto& editor = w.snrPanel().scheduleEditor();
    editor.setPreset(ScheduleSpec::cosine(1000));
    bool ok = waitUntil([&] { return !editor.busy(); }, 120000);
    const auto p = editor.controlPoints().points[3];
    editor.curve().dragPoint(3, {p.t, p.logSnr - 2.5});
    ok = ok && waitUntil([&] { return !editor.busy(); }, 120000);
    return ok && save(w, MainWindow::SnrTab, dir.filePath("schedule-editor.png"));
}

// Training × sampling on a fresh two-moons run with a checkpoint every 500 steps: the grid of
// checkpoints × DDIM steps from one x_T, and MMD² per checkpoint.
bool captureTrainingScrubber(MainWindow& w, const QDir& dir)
{
    auto config = presetTrainingConfig("two-moons");
    config.name = "scrubber-" + std::to_string(QDateTime::currentMSecsSinceEpoch());
    config.outputDir = QDir::temp().filePath("diffscope-screenshot-runs").toStdString();
    config.steps = 3000;
    config.checkpointEvery = 500;
    config.keepCheckpoints = 20;
    config.previewEvery = 0;
    auto& panel = w.trainingPanel();
    panel.form().load(config);
    w.tabs().setCurrentIndex(MainWindow::TrainingTab);
    const int id = panel.startFromForm();
    bool ok = id > 0 && waitUntil([&] {
        const auto s = panel.service().job(id).state;
        return s != JobState::Queued && s != JobState::Running;
    }, 600000);
    panel.scrubSelected();
    auto& scrubber = panel.scrubber();
    scrubber.setSettings({256, 20});
    ok = ok && waitUntil([&] { return !scrubber.busy(); }, 300000);
    scrubber.setCheckpointIndex(int(scrubber.columns().size()) - 1);
    scrubber.setStepIndex(14);
    return ok && save(w, MainWindow::TrainingTab, dir.filePath("training-scrubber.png"));
}

using Capture = bool (*)(MainWindow&, const QDir&);
struct NamedCapture {
    const char* name;
    Capture run;
};

// In order: later captures may rely on the state earlier ones leave (the compare tab's run).
const NamedCapture kCaptures[] = {
    {"trajectory", captureTrajectory}, {"sampler-forms", captureSamplerForms}, {"snr", captureSnr},
    {"comparison", captureComparison}, {"snr-photo", captureSnrPhoto},       {"training", captureTraining},
    {"probe", captureProbe}, // after "comparison": it replaces the panes
    {"schedule-editor", captureScheduleEditor}, {"training-scrubber", captureTrainingScrubber},
    {"fork", captureFork},             {"picard", capturePicard},
    {"spectrum", captureSpectrum}, // the start-up run
    {"roundtrip", captureRoundTrip}, {"health", captureHealth}, // open the demo DDPM: keep them last
};

// DIFFSCOPE_SCREENSHOTS_ONLY=name,name… runs a subset (a view's author re-shooting one image).
bool selected(const char* name)
{
    const QString only = qEnvironmentVariable("DIFFSCOPE_SCREENSHOTS_ONLY");
    return only.isEmpty() || only.split(',').contains(QString::fromLatin1(name));
}

bool capture(MainWindow& w, const QString& folder)
{
    QDir().mkpath(folder);
    const QDir dir(folder);
    auto& traj = w.trajectoryView();
    bool ok = waitUntil([&] { return w.model().hasModel(); }, 120000);
    ok = ok && waitUntil([&] { return !traj.runner().running() && traj.document().frameCount() > 1; }, 300000);
    for (const auto& c : kCaptures) {
        if (!ok)
            break;
        if (selected(c.name)) {
            ok = c.run(w, dir);
            if (!ok)
                qWarning("screenshot '%s' failed", c.name);
        }
    }
    return ok;
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
