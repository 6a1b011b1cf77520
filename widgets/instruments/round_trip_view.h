#pragma once
// Instruments → Round trip: invert real images to x_T with a deterministic sampler (DDIM η = 0
// or the probability-flow ODE with Heun), sample back, and show original | inverted x_T |
// reconstruction | error map (viridis, 0 … max error, with its colour bar), the error against
// the step count (log-log), and the generate-vs-reconstruct check with each output's distance
// to its nearest training image. The work runs on the engine thread (round_trip_job.h).
#include "round_trip_job.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ds {

class ImageCanvas;
class JobProgress;
class ModelSession;
class PlotWidget;

class RoundTripView : public QWidget {
    Q_OBJECT
public:
    explicit RoundTripView(ModelSession& model, QWidget* parent = nullptr);
    ~RoundTripView() override;

    // Inputs, as the form sets them.
    void setSampler(const QString& sampler); // "ddim" or "pf-ode-heun"
    void setSteps(int steps);
    void setCount(int count);
    void setCurveSteps(const QString& list); // "5,10,20,50"
    void setGenerateCheck(bool on);
    // Images to invert instead of the held-out data (tests, an image file loaded elsewhere).
    void setImages(const at::Tensor& images);
    // Loads images from a .npy or image file for the open model; returns an error message or "".
    QString loadImageFile(const QString& path);

    void run();
    void cancel();
    bool running() const { return running_; }
    const RoundTripOutcome& outcome() const { return outcome_; }
    // What the view prints: "RMSE 0.00123" etc.
    QString summaryText() const;
    QString checkText() const;
    PlotWidget& errorPlot() const { return *plot_; }
    ImageCanvas& errorCanvas() const { return *canvases_[3]; }

Q_SIGNALS:
    void finished();

private:
    QWidget* makeForm();
    QWidget* makeImages();
    RoundTripRequest request(QString* error) const;
    void show(const RoundTripOutcome& outcome);
    void showImages(const RoundTripOutcome& outcome);
    void showCurve(const RoundTripOutcome& outcome);
    void showCheck(const RoundTripOutcome& outcome);

    ModelSession& model_;
    QComboBox* source_;
    QComboBox* sampler_;
    QSpinBox* steps_;
    QSpinBox* count_;
    QLineEdit* curveSteps_;
    QCheckBox* check_;
    QPushButton* runButton_;
    JobProgress* progress_;
    QLabel* summary_;
    QLabel* checkLabel_;
    ImageCanvas* canvases_[4];
    ImageCanvas* checkCanvas_;
    PlotWidget* plot_;
    at::Tensor images_; // from a file or setImages(); undefined: held-out data
    QString imagesName_;
    RoundTripOutcome outcome_;
    StopToken stop_;
    quint64 ticket_ = 0; // the newest run's; older results are dropped
    bool running_ = false;
};

// "5,10,20" → {5, 10, 20}; throws ds::Error naming the bad entry.
std::vector<int64_t> parseStepList(const QString& text);

} // namespace ds
