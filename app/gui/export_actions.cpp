#include "export_actions.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/engine/export_service.h"
#include "widgets/snr/snr_panel.h"
#include "widgets/trajectory/timeline_bar.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/data/point_cloud_image.h"

#include <ATen/ATen.h>

#include <QDir>
#include <QFileDialog>
#include <QMenu>

namespace ds {
namespace {

// Upscale small images so exports are legible: tiles at least ~112 pixels high.
// 2D point data is drawn as a 256-pixel plot; 2× keeps it legible.
int exportScale(const Trajectory& t)
{
    if (t.empty())
        return 1;
    return isPointBatch(t.frame(0)) ? 2 : std::max<int>(1, int(112 / t.frame(0).size(2)));
}

FrameContent contentFor(FrameKind kind)
{
    return kind == FrameKind::PredictedX0 ? FrameContent::PredictedX0 : FrameContent::State;
}

} // namespace

ExportActions::ExportActions(TrajectoryView& trajectory, SnrPanel& snr, ComparisonView& comparison,
                             ExportService& service, QWidget* window)
    : QObject(window), trajectory_(trajectory), snr_(snr), comparison_(comparison), service_(service), window_(window)
{
}

void ExportActions::populate(QMenu* menu)
{
    auto add = [&](const QString& text, const QString& name, const QString& filter, bool (ExportActions::*fn)(const QString&)) {
        menu->addAction(text, this, [=, this] {
            const auto path = askPath(text, name, filter);
            if (!path.isEmpty())
                (this->*fn)(path);
        });
    };
    add(tr("Current frame (PNG)…"), "frame.png", tr("PNG images (*.png)"), &ExportActions::exportFramePng);
    add(tr("Trajectory strip (PNG)…"), "strip.png", tr("PNG images (*.png)"), &ExportActions::exportStripPng);
    add(tr("Contact sheet (PNG)…"), "contact-sheet.png", tr("PNG images (*.png)"), &ExportActions::exportContactSheetPng);
    add(tr("Animation (GIF)…"), "trajectory.gif", tr("GIF animations (*.gif)"), &ExportActions::exportAnimation);
    add(tr("Animation (MP4)…"), "trajectory.mp4", tr("MP4 videos (*.mp4)"), &ExportActions::exportAnimation);
    menu->addSeparator();
    add(tr("Trajectory arrays (.npy)…"), "trajectory.npy", tr("NumPy arrays (*.npy)"), &ExportActions::exportTrajectoryNpy);
    add(tr("Samples (.npy)…"), "samples.npy", tr("NumPy arrays (*.npy)"), &ExportActions::exportSamplesNpy);
    auto* labels = menu->addAction(tr("Label frames with t"));
    labels->setCheckable(true);
    labels->setChecked(labels_);
    labels->setToolTip(tr("strips, contact sheets and animations print each frame's t"));
    connect(labels, &QAction::toggled, this, [this](bool on) { labels_ = on; });
    menu->addSeparator();
    menu->addAction(tr("SNR charts (PNG, SVG, CSV)…"), this, [this] {
        const auto folder = askFolder(tr("Export the SNR charts into"));
        if (!folder.isEmpty())
            exportCharts(folder);
    });
    menu->addAction(tr("Sampler comparison (.npy, PNG, CSV)…"), this, [this] {
        const auto folder = askFolder(tr("Export the sampler comparison into"));
        if (!folder.isEmpty())
            exportComparison(folder);
    });
}

QString ExportActions::askPath(const QString& title, const QString& name, const QString& filter)
{
    const auto path = QFileDialog::getSaveFileName(window_, title, dialogPath(name), filter);
    rememberDialogChoice(path);
    return path;
}

QString ExportActions::askFolder(const QString& title)
{
    const auto folder = QFileDialog::getExistingDirectory(window_, title, dialogFolder());
    rememberDialogChoice(folder);
    return folder;
}

bool ExportActions::launch(const QString& what, ExportService::Task task)
{
    if (service_.start(what, std::move(task)))
        return true;
    Q_EMIT failed(tr("Another export is still running; wait for it or cancel it."));
    return false;
}

bool ExportActions::haveFrames()
{
    if (trajectory_.document().frameCount() > 0)
        return true;
    Q_EMIT failed(tr("There is no trajectory to export yet."));
    return false;
}

bool ExportActions::exportFramePng(const QString& path)
{
    if (!haveFrames())
        return false;
    const auto& doc = trajectory_.document();
    const int frame = std::max(0, trajectory_.currentFrame());
    const auto tensor = doc.content(frame, trajectory_.kind());
    if (!tensor.defined()) {
        Q_EMIT failed(tr("This frame has nothing to show as %1 yet.").arg(frameKindLabel(trajectory_.kind())));
        return false;
    }
    return launch(tr("frame PNG"), gridPngTask(path, tensor, doc.displayRange(trajectory_.kind(), tensor),
                                                       exportScale(doc.trajectory())));
}

bool ExportActions::exportStripPng(const QString& path)
{
    if (!haveFrames())
        return false;
    SheetOptions options;
    options.range = trajectory_.document().meta().range;
    options.content = contentFor(trajectory_.kind());
    options.scale = exportScale(trajectory_.document().trajectory());
    options.labels = labels_;
    return launch(tr("trajectory strip"), stripPngTask(path, trajectory_.document().trajectory(), 0, options));
}

bool ExportActions::exportContactSheetPng(const QString& path)
{
    if (!haveFrames())
        return false;
    SheetOptions options;
    options.range = trajectory_.document().meta().range;
    options.content = contentFor(trajectory_.kind());
    options.scale = std::max(1, exportScale(trajectory_.document().trajectory()) / 2);
    options.labels = labels_;
    return launch(tr("contact sheet"), contactSheetTask(path, trajectory_.document().trajectory(), options));
}

bool ExportActions::exportAnimation(const QString& path)
{
    if (!haveFrames())
        return false;
    const auto& doc = trajectory_.document();
    AnimationOptions options;
    options.fps = trajectory_.timeline().framesPerSecond();
    options.scale = std::max(1, exportScale(doc.trajectory()) / 2);
    auto frames = trajectoryAnimation(doc.trajectory(), doc.meta().range, 0, contentFor(trajectory_.kind()), labels_);
    const auto what = path.endsWith(QStringLiteral(".mp4"), Qt::CaseInsensitive) ? tr("MP4") : tr("GIF");
    return launch(tr("%1 animation").arg(what), animationTask(path, frames, options));
}

bool ExportActions::exportTrajectoryNpy(const QString& path)
{
    if (!haveFrames())
        return false;
    return launch(tr("trajectory arrays"), trajectoryNpyTask(path, trajectory_.document().trajectory()));
}

bool ExportActions::exportSamplesNpy(const QString& path)
{
    if (!haveFrames())
        return false;
    const auto& doc = trajectory_.document();
    // The last frame: the samples of a finished reverse run (or x_T of a forward one).
    return launch(tr("samples"), arrayNpyTask(path, doc.trajectory().frame(doc.frameCount() - 1)));
}

bool ExportActions::exportCharts(const QString& folder)
{
    QStringList files;
    const QDir dir(folder);
    for (auto [plot, stem] : {std::pair{&snr_.snrPlot(), "snr"}, std::pair{&snr_.meanPlot(), "mean"},
                              std::pair{&snr_.variancePlot(), "variance"}}) {
        const auto base = dir.filePath(QString::fromLatin1(stem));
        for (const auto& error : {plot->savePng(base + ".png"), plot->saveSvg(base + ".svg"), plot->saveCsv(base + ".csv")}) {
            if (!error.isEmpty()) {
                Q_EMIT failed(error);
                return false;
            }
        }
        files << base + ".png" << base + ".svg" << base + ".csv";
    }
    Q_EMIT chartsExported(files);
    return true;
}


bool ExportActions::exportComparison(const QString& folder)
{
    std::vector<PaneRecord> panes;
    for (int i = 0; i < comparison_.paneCount(); ++i) {
        const auto* pane = comparison_.pane(i);
        if (pane->running() || pane->trajectory().empty()) {
            Q_EMIT failed(tr("Pane %1 has not finished its run yet.").arg(i + 1));
            return false;
        }
        const auto& s = pane->summary();
        panes.push_back({QStringLiteral("pane%1").arg(i + 1), pane->settings().label(), pane->trajectory(),
                         pane->range(), s.seconds, s.passes, s.rounds, pane->metricText()});
    }
    return launch(tr("sampler comparison"), comparisonTask(folder, panes));
}

} // namespace ds
