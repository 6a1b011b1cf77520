#pragma once
// The Export menu: the current frame or grid, a trajectory strip or contact sheet (PNG), an
// animation (GIF, MP4), the trajectory or the samples as .npy, the SNR charts (PNG, SVG,
// CSV) and the sampler comparison (per pane .npy + PNG, a CSV of timings and metrics). Each
// export runs in the background through ExportService; the path-taking methods are what the
// menu's file dialogs call, and what tests call directly. The dialogs open in the folder last
// chosen (ds::dialogFolder), not the working folder.
#include "widgets/engine/export_service.h"

#include <QObject>
#include <QString>

class QMenu;
class QWidget;

namespace ds {

class ComparisonView;
class SnrPanel;
class TrajectoryView;

class ExportActions : public QObject {
    Q_OBJECT
public:
    ExportActions(TrajectoryView& trajectory, SnrPanel& snr, ComparisonView& comparison, ExportService& service,
                  QWidget* window);

    void populate(QMenu* menu);

    // Strips, contact sheets and animations label each frame with its t (on by default; the
    // Export menu's "Label frames with t" toggles it).
    void setFrameLabels(bool on) { labels_ = on; }
    bool frameLabels() const { return labels_; }

    // Each returns false (and emits failed) when there is nothing to export or a job runs.
    bool exportFramePng(const QString& path);
    bool exportStripPng(const QString& path);
    bool exportContactSheetPng(const QString& path);
    bool exportAnimation(const QString& path); // .gif or .mp4
    bool exportTrajectoryNpy(const QString& path);
    bool exportSamplesNpy(const QString& path);
    // Writes snr-*, mean-*, variance-* as .png, .svg and .csv into `folder` (at once: small).
    bool exportCharts(const QString& folder);
    // Every comparison pane's trajectory and samples, and comparison.csv, into `folder`.
    bool exportComparison(const QString& folder);

Q_SIGNALS:
    void failed(const QString& message);
    void chartsExported(const QStringList& files);

private:
    bool haveFrames();
    bool launch(const QString& what, ExportService::Task task);
    QString askPath(const QString& title, const QString& name, const QString& filter);
    QString askFolder(const QString& title);

    TrajectoryView& trajectory_;
    SnrPanel& snr_;
    ComparisonView& comparison_;
    ExportService& service_;
    QWidget* window_;
    bool labels_ = true;
};

} // namespace ds
