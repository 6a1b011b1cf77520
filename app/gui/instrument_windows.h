#pragma once
// The instrument windows of the main window: the round-trip and health-report dialogs
// (Instruments menu; non-modal, made on first use, kept with their last results) and the
// spectrum panel (View → Spectrum), a dock beside the trajectory that follows the trajectory
// view's frame. The spectra are computed when a run finishes while the panel shows (or when it
// is opened after one), once per run, on the engine thread.
#include <QObject>

class QDialog;
class QDockWidget;
class QMainWindow;

namespace ds {

class HealthView;
class ModelSession;
class RoundTripView;
class SpectrumView;
class TrajectoryView;

class InstrumentWindows : public QObject {
    Q_OBJECT
public:
    InstrumentWindows(QMainWindow& window, ModelSession& model, TrajectoryView& trajectory);

    void showRoundTrip();
    void showHealthReport();
    void showSpectrum();

    RoundTripView& roundTripView(); // made on first use
    HealthView& healthView();
    SpectrumView& spectrumView() const { return *spectrum_; }
    QDockWidget& spectrumDock() const { return *dock_; }
    QDialog* roundTripDialog() const { return roundTripDialog_; }
    QDialog* healthDialog() const { return healthDialog_; }

private:
    void refreshSpectrum();
    QDialog* makeDialog(QWidget* view, const QString& title, const QString& name);

    QMainWindow& window_;
    ModelSession& model_;
    TrajectoryView& trajectory_;
    QDockWidget* dock_;
    SpectrumView* spectrum_;
    QDialog* roundTripDialog_ = nullptr;
    QDialog* healthDialog_ = nullptr;
    RoundTripView* roundTrip_ = nullptr;
    HealthView* health_ = nullptr;
    bool spectrumStale_ = true; // a run finished (or the trajectory changed) since the spectra were made
};

} // namespace ds
