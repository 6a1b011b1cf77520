#include "export_service.h"

#include "core/data/point_cloud_image.h"
#include "models/error.h"
#include "core/export/gif_writer.h"
#include "core/export/mp4_writer.h"
#include "core/instruments/manifest.h"
#include "core/io/image_io.h"
#include "core/io/sha256.h"
#include "core/io/npy.h"
#include "core/export/trajectory_arrays.h"
#include "core/user_message.h"
#include "metric_hook.h"

#include <ATen/ATen.h>
#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentRun>

#include <c10/core/GradMode.h>

#include <cmath>
#include <optional>

namespace ds {

namespace {

// Beside the first file: the provenance, each file's SHA-256, the LibTorch version.
QString writeExportManifest(const QString& what, const ExportProvenance& p, const QStringList& files)
{
    Manifest m;
    m.program = p.program;
    m.command = kGuiExportCommand;
    m.settings = p.settings;
    m.settings["export"] = what.toStdString();
    m.settings["rng_order"] = kRngOrderNote;
    m.checkpoint = p.checkpoint;
    m.checkpointSha256 = p.checkpoint.empty() ? "" : checkpointDigest(p.checkpoint);
    m.device = p.device;
    m.libtorch = libtorchVersion();
    for (const auto& f : files)
        m.outputs.push_back({"", "", f.toStdString(), sha256File(f.toStdString())});
    const auto path = manifestPathFor(files.front().toStdString());
    saveManifest(path, m);
    return QString::fromStdString(path);
}

} // namespace

ExportService::ExportService(QObject* parent) : QObject(parent) {}

ExportService::~ExportService()
{
    cancel();
    waitForIdle();
}

bool ExportService::start(const QString& what, Task task)
{
    if (busy_)
        return false;
    busy_ = true;
    stop_ = StopToken();
    Q_EMIT started(what, 0);
    auto stop = stop_;
    std::optional<ExportProvenance> provenance;
    if (provenance_)
        provenance = provenance_(what);
    // The service outlives the task (its destructor waits), so the task may signal through it.
    future_ = QtConcurrent::run([this, what, task = std::move(task), stop, provenance] {
        c10::NoGradGuard noGrad;
        auto report = [this, stop](int64_t done, int64_t total) {
            Q_EMIT progress(done, total);
            return !stop.stopRequested();
        };
        try {
            const auto result = task(report, stop);
            auto files = result.files;
            if (provenance && !stop.stopRequested() && !files.isEmpty())
                files << writeExportManifest(what, *provenance, files);
            auto message = stop.stopRequested() ? tr("%1: cancelled").arg(what)
                                                : tr("%1: wrote %2").arg(what, files.join(QStringLiteral(", ")));
            if (!stop.stopRequested() && !result.note.isEmpty())
                message += QStringLiteral(" (%1)").arg(result.note);
            QMetaObject::invokeMethod(this, [this, message, files] {
                busy_ = false;
                Q_EMIT finished(message, files);
            });
        } catch (const std::exception& e) {
            const auto message = QString::fromStdString(ds::userMessage(e));
            QMetaObject::invokeMethod(this, [this, message] {
                busy_ = false;
                Q_EMIT failed(message);
            });
        }
    });
    return true;
}

void ExportService::cancel() { stop_.requestStop(); }

void ExportService::waitForIdle()
{
    future_.waitForFinished();
    QCoreApplication::sendPostedEvents(this); // deliver the queued finished/failed now
}

ExportService::Task gridPngTask(const QString& path, const at::Tensor& batch, DataRange range, int scale)
{
    return [path, batch, range, scale](const ExportProgress& progress, const StopToken&) {
        savePng(path.toStdString(), tileImages(batch, range, 0, scale));
        progress(1, 1);
        return QStringList{path};
    };
}

ExportService::Task stripPngTask(const QString& path, const Trajectory& trajectory, int sample, const SheetOptions& options)
{
    return [path, trajectory, sample, options](const ExportProgress& progress, const StopToken&) {
        savePng(path.toStdString(), trajectoryStrip(trajectory, sample, options));
        progress(1, 1);
        return QStringList{path};
    };
}

ExportService::Task contactSheetTask(const QString& path, const Trajectory& trajectory, const SheetOptions& options)
{
    return [path, trajectory, options](const ExportProgress& progress, const StopToken&) {
        savePng(path.toStdString(), contactSheet(trajectory, options));
        progress(1, 1);
        return QStringList{path};
    };
}

ExportService::Task animationTask(const QString& path, const FrameSequence& frames, const AnimationOptions& options)
{
    return [path, frames, options](const ExportProgress& progress, const StopToken& stop) {
        const bool mp4 = path.endsWith(QStringLiteral(".mp4"), Qt::CaseInsensitive);
        const auto result = mp4 ? saveMp4(path.toStdString(), frames, options, progress, &stop)
                                : saveGif(path.toStdString(), frames, options, progress, &stop);
        return result.cancelled ? ExportReport{} : ExportReport{{path}, QString::fromStdString(result.codec)};
    };
}

ExportService::Task trajectoryNpyTask(const QString& path, const Trajectory& trajectory)
{
    return [path, trajectory](const ExportProgress& progress, const StopToken&) {
        QStringList out;
        for (const auto& p : saveTrajectoryArrays(path.toStdString(), trajectory))
            out << QString::fromStdString(p);
        progress(1, 1);
        return out;
    };
}

ExportService::Task arrayNpyTask(const QString& path, const at::Tensor& array)
{
    return [path, array](const ExportProgress& progress, const StopToken&) {
        saveNpy(path.toStdString(), array);
        progress(1, 1);
        return QStringList{path};
    };
}

namespace {

QString csvField(QString text) { return QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"'); }

QString numberOrEmpty(double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); }

// metric,value,n,std,note: the pane's metric text read back as numbers (ds::parseMetricText).
QString metricFields(const QString& text)
{
    if (text.isEmpty())
        return QStringLiteral(",,,,");
    const auto m = parseMetricText(text);
    return (m.name.isEmpty() ? QString() : csvField(m.name)) + ',' + numberOrEmpty(m.value) + ',' + (m.n > 0 ? QString::number(m.n) : QString()) + ','
           + numberOrEmpty(m.std) + ',' + (m.note.isEmpty() ? QString() : csvField(m.note));
}

// comparison.csv through QSaveFile: written to a temporary file, renamed on commit.
QString writeComparisonCsv(const QDir& dir, const std::vector<PaneRecord>& panes)
{
    const auto path = dir.filePath(QStringLiteral("comparison.csv"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        throw Error(path.toStdString() + ": cannot write: " + file.errorString().toStdString());
    QTextStream out(&file);
    out << "pane,sampler,frames,wall_s,network_passes,sequential_rounds,metric,value,n,std,note\n";
    for (const auto& p : panes)
        out << p.stem << ',' << csvField(p.label) << ',' << p.trajectory.size() << ',' << QString::number(p.seconds, 'g', 6)
            << ',' << p.passes << ',' << p.rounds << ',' << metricFields(p.metric) << '\n';
    out.flush();
    if (!file.commit())
        throw Error(path.toStdString() + ": cannot write: " + file.errorString().toStdString());
    return path;
}

} // namespace

ExportService::Task comparisonTask(const QString& folder, const std::vector<PaneRecord>& panes)
{
    return [folder, panes](const ExportProgress& progress, const StopToken& stop) {
        const QDir dir(folder);
        QStringList out;
        const auto total = int64_t(panes.size()) + 1;
        for (size_t i = 0; i < panes.size(); ++i) {
            const auto& p = panes[i];
            require(!p.trajectory.empty(), p.stem.toStdString() + ": the pane has no frames yet");
            for (const auto& file : saveTrajectoryArrays(dir.filePath(p.stem + QStringLiteral(".npy")).toStdString(), p.trajectory))
                out << QString::fromStdString(file);
            const auto png = dir.filePath(p.stem + QStringLiteral(".png"));
            const auto& last = p.trajectory.frame(p.trajectory.size() - 1);
            const int64_t scale = isPointBatch(last) ? 1 : std::max<int64_t>(1, 84 / last.size(2));
            savePng(png.toStdString(), tileImages(last, p.range, 0, scale));
            out << png;
            if (!progress(int64_t(i) + 1, total) || stop.stopRequested())
                return out;
        }
        out << writeComparisonCsv(dir, panes);
        progress(total, total);
        return out;
    };
}

} // namespace ds
