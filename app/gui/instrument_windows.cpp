#include "instrument_windows.h"

#include "widgets/engine/model_session.h"
#include "widgets/instruments/health_view.h"
#include "widgets/instruments/round_trip_view.h"
#include "widgets/instruments/spectrum_view.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QDialog>
#include <QDockWidget>
#include <QMainWindow>
#include <QVBoxLayout>

namespace ds {

InstrumentWindows::InstrumentWindows(QMainWindow& window, ModelSession& model, TrajectoryView& trajectory)
    : QObject(&window), window_(window), model_(model), trajectory_(trajectory)
{
    spectrum_ = new SpectrumView(model.engine());
    dock_ = new QDockWidget(tr("Spectrum"), &window);
    dock_->setObjectName(QStringLiteral("spectrumDock")); // saveState() needs a name
    dock_->setWidget(spectrum_);
    window.addDockWidget(Qt::RightDockWidgetArea, dock_);
    dock_->hide();
    connect(dock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && spectrumStale_)
            refreshSpectrum();
    });
    connect(&trajectory.runner(), &TrajectoryRunner::finished, this, [this] {
        spectrumStale_ = true;
        if (dock_->isVisible())
            refreshSpectrum();
    });
    connect(&trajectory.document(), &TrajectoryDocument::resetDone, this, [this] { spectrumStale_ = true; });
    connect(&trajectory, &TrajectoryView::frameShown, spectrum_, &SpectrumView::showFrame);
}

void InstrumentWindows::refreshSpectrum()
{
    spectrumStale_ = false;
    spectrum_->showFrame(trajectory_.currentFrame());
    spectrum_->setTrajectory(trajectory_.document().trajectory(), model_.denoiser());
}

QDialog* InstrumentWindows::makeDialog(QWidget* view, const QString& title, const QString& name)
{
    auto* dialog = new QDialog(&window_);
    dialog->setObjectName(name);
    dialog->setWindowTitle(title);
    dialog->setModal(false);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(view);
    dialog->resize(1300, 900);
    return dialog;
}

RoundTripView& InstrumentWindows::roundTripView()
{
    if (!roundTrip_) {
        roundTrip_ = new RoundTripView(model_);
        roundTripDialog_ = makeDialog(roundTrip_, tr("Round trip"), QStringLiteral("roundTripDialog"));
    }
    return *roundTrip_;
}

HealthView& InstrumentWindows::healthView()
{
    if (!health_) {
        health_ = new HealthView(model_);
        healthDialog_ = makeDialog(health_, tr("Model health report"), QStringLiteral("healthDialog"));
    }
    return *health_;
}

void InstrumentWindows::showRoundTrip()
{
    roundTripView();
    roundTripDialog_->show();
    roundTripDialog_->raise();
}

void InstrumentWindows::showHealthReport()
{
    healthView();
    healthDialog_->show();
    healthDialog_->raise();
}

void InstrumentWindows::showSpectrum()
{
    dock_->show();
    dock_->raise();
}

} // namespace ds
