#include "app_settings.h"

#include "widgets/comparison/comparison_view.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QMainWindow>
#include <QSettings>

namespace ds {

void saveWindowLayout(const QMainWindow& window, QSettings& s)
{
    s.setValue("window/geometry", window.saveGeometry());
    s.setValue("window/state", window.saveState());
}

void restoreWindowLayout(QMainWindow& window, QSettings& s)
{
    if (s.contains("window/geometry"))
        window.restoreGeometry(s.value("window/geometry").toByteArray());
    if (s.contains("window/state"))
        window.restoreState(s.value("window/state").toByteArray());
}

void saveSamplerSettings(const TrajectoryView& trajectory, const ComparisonView& comparison, QSettings& s)
{
    const auto& controls = trajectory.controls();
    controls.samplerSettings().save(s, "trajectory/sampler");
    s.setValue("trajectory/samplerModel", trajectory.settingsModel()); // the model those settings were made for
    s.setValue("trajectory/batch", controls.batch());
    s.setValue("trajectory/seed", qulonglong(controls.seed()));
    const auto panes = comparison.paneSettings();
    s.setValue("comparison/panes", int(panes.size()));
    for (int i = 0; i < panes.size(); ++i)
        panes[i].save(s, QStringLiteral("comparison/pane%1").arg(i));
}

void restoreSamplerSettings(TrajectoryView& trajectory, ComparisonView& comparison, QSettings& s)
{
    auto& controls = trajectory.controls();
    controls.setSamplerSettings(SamplerSettings::load(s, "trajectory/sampler", controls.samplerSettings()));
    trajectory.setSettingsModel(s.value("trajectory/samplerModel").toString());
    controls.setBatch(s.value("trajectory/batch", controls.batch()).toInt());
    controls.setSeed(s.value("trajectory/seed", qulonglong(controls.seed())).toULongLong());
    const int count = s.value("comparison/panes", 0).toInt();
    if (count < ComparisonView::kMinPanes || count > ComparisonView::kMaxPanes)
        return;
    const auto current = comparison.paneSettings();
    QList<SamplerSettings> panes;
    for (int i = 0; i < count; ++i)
        panes.append(SamplerSettings::load(s, QStringLiteral("comparison/pane%1").arg(i), current.value(i)));
    comparison.setPaneSettings(panes);
}

} // namespace ds
