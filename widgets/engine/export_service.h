#pragma once
// Exports off the UI thread: one task at a time on the Qt thread pool, with progress and a
// cancel that reaches the writer through a ds::StopToken. Task factories below wrap the core
// writers (ds::savePng, ds::saveGif, ds::saveMp4, ds::saveNpy, ds::saveTrajectoryNpy), which
// all write atomically.
#include "core/export/animation.h"
#include "core/export/trajectory_images.h"
#include "core/trajectory.h"

#include <nlohmann/json.hpp>

#include <QFuture>
#include <QObject>
#include <QStringList>

#include <functional>
#include <utility>
#include <vector>

namespace ds {

// What a task wrote, and anything the user should know about how ("H.264 (avc1)").
struct ExportReport {
    ExportReport(QStringList written = {}, QString how = {}) : files(std::move(written)), note(std::move(how)) {}
    QStringList files;
    QString note;
};

// What the manifest beside a finished export records (core/instruments/manifest.h): the
// settings that made what was exported, read from the window when the export starts.
struct ExportProvenance {
    std::string program;                                // "diffscope 0.1.0"
    nlohmann::json settings = nlohmann::json::object(); // sampler, options, seed, view …
    std::string checkpoint;                             // the open model's spec ("" for none)
    std::string device = "cpu";
};

class ExportService : public QObject {
    Q_OBJECT
public:
    // Writes files and returns their paths; reports progress through the callback, which
    // returns false once cancel() was asked for. Throws ds::Error on failure.
    using Task = std::function<ExportReport(const ExportProgress& progress, const StopToken& stop)>;

    explicit ExportService(QObject* parent = nullptr);
    ~ExportService() override; // cancels and waits for a running task

    // Starts `task` unless one is running (then returns false).
    bool start(const QString& what, Task task);
    void cancel();
    bool busy() const { return busy_; }
    void waitForIdle(); // for tests and shutdown
    // Every export started afterwards writes FIRST_FILE.manifest.json beside its files, with
    // the provenance `provider` gives for the export's name (called on the UI thread at start).
    void setProvenance(std::function<ExportProvenance(const QString& what)> provider) { provenance_ = std::move(provider); }

Q_SIGNALS:
    void started(const QString& what, qint64 total);
    void progress(qint64 done, qint64 total);
    void finished(const QString& message, const QStringList& files);
    void failed(const QString& message);

private:
    QFuture<void> future_;
    StopToken stop_;
    bool busy_ = false;
    std::function<ExportProvenance(const QString&)> provenance_;
};

// The batch [N, C, H, W] (values in `range`) as one PNG grid.
ExportService::Task gridPngTask(const QString& path, const at::Tensor& batch, DataRange range, int scale = 1);
// One sample across the trajectory, or frames × samples, as PNG.
ExportService::Task stripPngTask(const QString& path, const Trajectory& trajectory, int sample, const SheetOptions& options);
ExportService::Task contactSheetTask(const QString& path, const Trajectory& trajectory, const SheetOptions& options);
// Every frame as a GIF (giflib) or, for a path ending in .mp4, an MP4 (OpenCV); the report
// names the codec used.
ExportService::Task animationTask(const QString& path, const FrameSequence& frames, const AnimationOptions& options);
// Trajectory arrays (ds::saveTrajectoryArrays: .npy + .t.npy [+ .x0.npy + .x0.json]) or one array.
ExportService::Task trajectoryNpyTask(const QString& path, const Trajectory& trajectory);
ExportService::Task arrayNpyTask(const QString& path, const at::Tensor& array);

// One sampler-comparison pane's finished run.
struct PaneRecord {
    QString stem;  // file stem, e.g. "pane2"
    QString label; // the pane's sampler settings
    Trajectory trajectory;
    DataRange range;
    double seconds = 0;
    int64_t passes = 0;
    int64_t rounds = 0;
    QString metric; // "FID proxy 41.2 (n=64)" (ds::metricText), or empty
};
// Into `folder`: per pane <stem>.npy (+ .t.npy [+ .x0.npy + .x0.json]) and <stem>.png (its
// samples), and comparison.csv with one row per pane: pane, sampler, frames, wall_s,
// network_passes, sequential_rounds, then the metric as numbers (metric, value, n, std; empty
// where absent) and a note for a metric that gave no value.
ExportService::Task comparisonTask(const QString& folder, const std::vector<PaneRecord>& panes);

} // namespace ds
