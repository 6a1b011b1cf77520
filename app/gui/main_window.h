#pragma once
// The main window: tabs for the trajectory view, the SNR panel, the sampler comparison and
// training; menus and tool bar (MainMenus), the status bar (StatusPanel), errors
// (ErrorReporter), exports (ExportActions over ExportService), the instrument dialogs and the
// spectrum panel (InstrumentWindows). It wires the parts together and
// owns the engine thread; each part is its own class.
#include "start_options.h"

#include <QMainWindow>

class QTabWidget;

namespace ds {

class ComparisonView;
class EngineThread;
class ErrorReporter;
class ExportActions;
class ExportService;
struct ExportProvenance;
class InstrumentWindows;
class MainMenus;
class ModelSession;
class RecentFiles;
class SnrPanel;
class StatusPanel;
class TrainingPanel;
class TrajectoryView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Tab { TrajectoryTab, SnrTab, CompareTab, TrainingTab };

    explicit MainWindow(const StartOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a model file, diffusers folder or oracle spec in the background; errors show in a
    // message box.
    void openModel(const QString& spec);

    ModelSession& model() const { return *model_; }
    TrajectoryView& trajectoryView() const { return *trajectory_; }
    SnrPanel& snrPanel() const { return *snr_; }
    ComparisonView& comparisonView() const { return *comparison_; }
    ExportService& exportService() const { return *exports_; }
    ExportActions& exportActions() const { return *exportActions_; }
    ErrorReporter& errors() const { return *errors_; }
    RecentFiles& recentFiles() const { return *recent_; }
    StatusPanel& statusPanel() const { return *status_; }
    QTabWidget& tabs() const { return *tabs_; }
    TrainingPanel& trainingPanel() const { return *training_; }
    InstrumentWindows& instruments() const { return *instruments_; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildTabs();
    void connectModel();
    void connectJobs();
    void chooseFile();
    void chooseFolder();
    void saveSettings() const;
    ExportProvenance exportProvenance(const QString& what) const;

    EngineThread* engine_;
    ModelSession* model_;
    QTabWidget* tabs_;
    TrajectoryView* trajectory_;
    SnrPanel* snr_;
    ComparisonView* comparison_;
    TrainingPanel* training_;
    ExportService* exports_;
    ExportActions* exportActions_;
    MainMenus* menus_;
    InstrumentWindows* instruments_;
    RecentFiles* recent_;
    StatusPanel* status_;
    ErrorReporter* errors_;
    bool restoreSettings_;
    QString startupModel_;
};

} // namespace ds
