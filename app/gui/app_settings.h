#pragma once
// What diffscope remembers between runs (QSettings): the window layout and the last sampler
// settings of the trajectory view (with the model they were made for: another model opens
// with its own defaults) and of each comparison pane. Recent files live in RecentFiles.
class QMainWindow;
class QSettings;

namespace ds {

class ComparisonView;
class TrajectoryView;

void saveWindowLayout(const QMainWindow& window, QSettings& settings);
void restoreWindowLayout(QMainWindow& window, QSettings& settings);

void saveSamplerSettings(const TrajectoryView& trajectory, const ComparisonView& comparison, QSettings& settings);
void restoreSamplerSettings(TrajectoryView& trajectory, ComparisonView& comparison, QSettings& settings);

} // namespace ds
