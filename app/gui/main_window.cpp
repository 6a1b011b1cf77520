#include "main_window.h"

#include "app_settings.h"
#include "device_selector.h"
#include "error_reporter.h"
#include "examples_menu.h"
#include "export_actions.h"
#include "instrument_windows.h"
#include "main_menus.h"
#include "recent_files.h"
#include "recovery_dialog.h"
#include "status_panel.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/engine/checkpoint_probe.h"
#include "widgets/engine/engine_thread.h"
#include "widgets/engine/export_service.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/metric_hook.h"
#include "widgets/engine/model_session.h"
#include "widgets/instruments/spectrum_view.h"
#include "widgets/snr/snr_panel.h"
#include "widgets/training/training_panel.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/denoisers/denoiser.h"
#include "core/samplers/sampler_options.h"

#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace ds {
namespace {

// Needs no data set: what the window falls back to when the start-up model cannot open.
const QString kFallbackModel = QStringLiteral("oracle:gaussian?mean=0&std=0.5&shape=1x28x28");

} // namespace

MainWindow::MainWindow(const StartOptions& options, QWidget* parent)
    : QMainWindow(parent), restoreSettings_(options.restoreSettings)
{
    setWindowTitle(tr("diffscope"));
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    engine_ = new EngineThread(this);
    model_ = new ModelSession(*engine_, this);
    model_->setProbeProgram(findCliProgram());
    model_->setDevice(options.device);
    buildTabs();
    errors_ = new ErrorReporter(this);
    status_ = new StatusPanel(statusBar());
    exports_ = new ExportService(this);
    exports_->setProvenance([this](const QString& what) { return exportProvenance(what); });
    exportActions_ = new ExportActions(*trajectory_, *snr_, *comparison_, *exports_, this);
    menus_ = new MainMenus(*this, *tabs_);
    instruments_ = new InstrumentWindows(*this, *model_, *trajectory_);
    connect(menus_, &MainMenus::spectrumRequested, instruments_, &InstrumentWindows::showSpectrum);
    connect(menus_, &MainMenus::roundTripRequested, instruments_, &InstrumentWindows::showRoundTrip);
    connect(menus_, &MainMenus::healthReportRequested, instruments_, &InstrumentWindows::showHealthReport);
    exportActions_->populate(menus_->exportMenu());
    recent_ = new RecentFiles(menus_->recentMenu(), this);
    menus_->device()->setDevice(options.device);
    connectModel();
    connectJobs();
    resize(1500, 940);
    if (restoreSettings_) {
        QSettings settings;
        restoreWindowLayout(*this, settings);
        restoreSamplerSettings(*trajectory_, *comparison_, settings);
    }
    startupModel_ = options.model;
    if (!options.model.isEmpty())
        openModel(options.model);
    if (restoreSettings_) // a normal start (not tests or screenshots): offer interrupted trainings
        RecoveryDialog::offerInterruptedRuns(QDir::home().filePath(QStringLiteral("diffscope-runs")), this,
                                             [this](const QString& checkpoint) {
                                                 QString error;
                                                 if (training_->service().resume(checkpoint, 0, &error) < 0)
                                                     errors_->report(tr("Resume %1").arg(checkpoint), error);
                                                 tabs_->setCurrentWidget(training_);
                                             });
}

MainWindow::~MainWindow()
{
    engine_->shutdown(); // stop the running job before the views it reports to go away
    exports_->cancel();
    // A view cancelling its run while it dies reports to us: not to a half-destroyed window.
    disconnect(trajectory_, nullptr, this, nullptr);
    disconnect(&trajectory_->runner(), nullptr, this, nullptr);
}

// What an export's manifest records: the open model, the trajectory tab's sampler, options and
// seed (what every export of a run was made with), the device and the tab the export came from.
ExportProvenance MainWindow::exportProvenance(const QString& what) const
{
    ExportProvenance p;
    p.program = std::string("diffscope ") + DIFFSCOPE_VERSION;
    p.checkpoint = model_->summary().source.toStdString();
    p.device = model_->device().isEmpty() ? std::string("cpu") : model_->device().toStdString();
    const auto settings = trajectory_->controls().samplerSettings();
    p.settings = {{"export", what.toStdString()},
                  {"tab", tabs_->tabText(tabs_->currentIndex()).toStdString()},
                  {"sampler", settings.sampler.toStdString()},
                  {"options", toJson(settings.options)},
                  {"start", settings.start.toStdString()},
                  {"seed", trajectory_->controls().seed()}};
    return p;
}

void MainWindow::buildTabs()
{
    tabs_ = new QTabWidget;
    trajectory_ = new TrajectoryView(*model_);
    snr_ = new SnrPanel;
    comparison_ = new ComparisonView(*model_);
    comparison_->setMetric(defaultSampleMetric());
    training_ = new TrainingPanel;
    connect(training_, &TrainingPanel::openCheckpointRequested, this, [this](const QString& path) {
        openModel(path);
        tabs_->setCurrentIndex(TrajectoryTab);
    });
    tabs_->addTab(trajectory_, tr("Trajectory"));
    tabs_->addTab(snr_, tr("SNR"));
    tabs_->addTab(comparison_, tr("Compare samplers"));
    tabs_->addTab(training_, tr("Training"));
    setCentralWidget(tabs_);
}

void MainWindow::connectModel()
{
    connect(menus_, &MainMenus::openFileRequested, this, &MainWindow::chooseFile);
    connect(menus_, &MainMenus::openFolderRequested, this, &MainWindow::chooseFolder);
    connect(menus_, &MainMenus::openRequested, this, &MainWindow::openModel);
    connect(recent_, &RecentFiles::openRequested, this, &MainWindow::openModel);
    connect(menus_->device(), &DeviceSelector::deviceChosen, model_, &ModelSession::setDevice);
    connect(model_, &ModelSession::loadingStarted, status_, &StatusPanel::showLoading);
    connect(model_, &ModelSession::opened, this, [this](const ModelSummary& s) {
        status_->showModel(s);
        recent_->add(s.source);
        setWindowTitle(tr("diffscope — %1").arg(s.source.startsWith("oracle:") ? s.source : QFileInfo(s.source).fileName()));
        // What a diffusers folder assumed, and why the sampler settings are what they are.
        QStringList notes;
        if (const auto d = model_->denoiser(); d && !d->info().notes.empty())
            notes << QString::fromStdString(d->info().notes);
        if (!trajectory_->samplerNote().isEmpty())
            notes << trajectory_->samplerNote().replace('\n', QStringLiteral(" · "));
        if (!notes.isEmpty())
            statusBar()->showMessage(notes.join(QStringLiteral(" · ")), 15000);
    });
    connect(model_, &ModelSession::openFailed, this, [this](const QString& source, const QString& message) {
        if (model_->hasModel())
            status_->showModel(model_->summary());
        else
            status_->showNoModel();
        const auto name = source.startsWith("oracle:") ? source : QFileInfo(source).fileName();
        errors_->report(tr("Could not open %1").arg(name), message);
        // The start-up model failed (e.g. no Fashion-MNIST here): still show a real trajectory.
        if (source == startupModel_ && !model_->hasModel() && source != kFallbackModel)
            openModel(kFallbackModel);
    });
}

void MainWindow::connectJobs()
{
    connect(engine_, &EngineThread::jobFailed, this, [this](const QString& m) { errors_->report(tr("A job failed"), m); });
    connect(&trajectory_->runner(), &TrajectoryRunner::failed, this,
            [this](const QString& m) { errors_->report(tr("The run failed"), m); });
    connect(trajectory_, &TrajectoryView::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    auto& progress = status_->exportProgress();
    connect(exports_, &ExportService::started, &progress, &JobProgress::start);
    connect(exports_, &ExportService::progress, &progress, &JobProgress::setProgress);
    connect(&progress, &JobProgress::cancelRequested, exports_, &ExportService::cancel);
    connect(exports_, &ExportService::finished, this, [this](const QString& message) {
        status_->exportProgress().finish();
        statusBar()->showMessage(message, 10000);
    });
    connect(exports_, &ExportService::failed, this, [this](const QString& message) {
        status_->exportProgress().finish();
        errors_->report(tr("The export failed"), message);
    });
    connect(exportActions_, &ExportActions::failed, this, [this](const QString& m) { errors_->report(tr("Cannot export"), m); });
    connect(exportActions_, &ExportActions::chartsExported, this,
            [this](const QStringList& files) { statusBar()->showMessage(tr("wrote %1 chart files").arg(files.size()), 10000); });
    connect(&instruments_->spectrumView(), &SpectrumView::failed, this,
            [this](const QString& m) { errors_->report(tr("Cannot show the spectrum"), m); });
    connect(snr_, &SnrPanel::failed, this, [this](const QString& m) { errors_->report(tr("Cannot show the SNR views"), m); });
    for (auto* plot : {&snr_->snrPlot(), &snr_->meanPlot(), &snr_->variancePlot()})
        connect(plot, &PlotWidget::exportFailed, this, [this](const QString& m) { errors_->report(tr("Cannot export"), m); });
}

// A folder (diffusers) loses any trailing slash, so recent files and titles show its name.
void MainWindow::openModel(const QString& spec)
{
    model_->open(QFileInfo(spec).isDir() ? QDir::cleanPath(spec) : spec);
}

void MainWindow::chooseFile()
{
    const auto path = QFileDialog::getOpenFileName(this, tr("Open a model"), {},
                                                   tr("Models (*.pt *.ptc *.dsckpt);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::chooseFolder()
{
    const auto path = QFileDialog::getExistingDirectory(this, tr("Open a diffusers model folder (UNet2DModel or pipeline)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    saveWindowLayout(*this, settings);
    saveSamplerSettings(*trajectory_, *comparison_, settings);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (restoreSettings_)
        saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    openModel(urls.first().toLocalFile());
    event->acceptProposedAction();
}

} // namespace ds
