#pragma once
// Menus and the tool bar of the main window: File (open, recent, export, quit), Examples,
// View (one entry per tab, the spectrum panel), Instruments (round trip, health report), Help.
// Actions only; MainWindow decides what they do.
#include <QObject>

class QMainWindow;
class QMenu;
class QTabWidget;

namespace ds {

class DeviceSelector;
class ExamplesMenu;

class MainMenus : public QObject {
    Q_OBJECT
public:
    MainMenus(QMainWindow& window, QTabWidget& tabs);

    QMenu* recentMenu() const { return recent_; }
    QMenu* exportMenu() const { return export_; }
    ExamplesMenu* examples() const { return examples_; }
    DeviceSelector* device() const { return device_; }

Q_SIGNALS:
    void openFileRequested();
    void openFolderRequested(); // a diffusers model folder
    void openRequested(const QString& spec);
    void spectrumRequested();    // View → Spectrum
    void roundTripRequested();   // Instruments → Round trip…
    void healthReportRequested(); // Instruments → Health report…

private:
    void buildFileMenu(QMainWindow& window);
    void buildViewMenu(QMainWindow& window, QTabWidget& tabs);
    void buildInstrumentsMenu(QMainWindow& window);
    void buildHelpMenu(QMainWindow& window);

    QMenu* recent_ = nullptr;
    QMenu* export_ = nullptr;
    ExamplesMenu* examples_ = nullptr;
    DeviceSelector* device_ = nullptr;
};

} // namespace ds
