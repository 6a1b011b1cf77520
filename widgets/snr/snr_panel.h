#pragma once
// The SNR panel: how a schedule destroys signal pixel by pixel. For pixels the user clicks and
// for pixel-value bins it plots per-pixel SNR (log scale) of the pixel-aware schedule against
// linear DDPM over t/T, E[x_t] and Var[x_t] for both; it colours the image with a per-pixel
// map at the current t (SNR, variance, KL to N(0, 1)) and prints the terminal prior mismatch.
// T and γ are live: edits recompute off the UI thread, coalesced by a 40 ms timer, and only
// the newest request's result is shown. A second page holds the live schedule editor
// (schedule_editor.h).
#include "snr_analysis.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace ds {

class ColourLegend;
class ImageCanvas;
class PlotWidget;
class ScheduleEditor;

class SnrPanel : public QWidget {
    Q_OBJECT
public:
    explicit SnrPanel(QWidget* parent = nullptr);
    ~SnrPanel() override;

    // fashionSource(i) or an image path; resets the chosen pixels to defaults for its size.
    void setSource(const QString& source);
    QString source() const { return source_; }
    void addPixel(QPoint pixel);
    void clearPixels();
    void setSchedule(int T, double gamma);
    void setTime(double time); // t/T
    void setMapKind(SnrMapKind kind);

    PlotWidget& snrPlot() const { return *snrPlot_; }
    PlotWidget& meanPlot() const { return *meanPlot_; }
    PlotWidget& variancePlot() const { return *variancePlot_; }
    ImageCanvas& canvas() const { return *canvas_; }
    const SnrResult& result() const { return result_; }
    QString summaryText() const;
    bool busy() const { return busy_ || pending_; }
    // The live schedule editor, the panel's second page (made on first use).
    ScheduleEditor& scheduleEditor();
    void showScheduleEditor();

public Q_SLOTS:
    void recompute(); // coalesced

Q_SIGNALS:
    void updated();               // a result was applied
    void failed(const QString& message);

private:
    QWidget* makeControls();
    void addScheduleRows(QFormLayout* form);
    void addMapRows(QFormLayout* form);
    void connectControls();
    QWidget* makeSourceRow();
    SnrRequest request() const;
    void start();
    void apply(const SnrResult& result);
    void updateTimeLabel();

    QComboBox* sourceBox_;
    QSpinBox* item_;
    QComboBox* channel_;
    QSpinBox* T_;
    QDoubleSpinBox* gamma_;
    QSpinBox* linearT_;
    QSpinBox* bins_;
    QSlider* time_;
    QLabel* timeLabel_;
    QComboBox* mapKind_;
    QComboBox* mapSchedule_;
    QSlider* opacity_;
    ImageCanvas* canvas_;
    ColourLegend* legend_;
    QLabel* mapTitle_;
    QLabel* summary_;
    PlotWidget* snrPlot_;
    PlotWidget* meanPlot_;
    PlotWidget* variancePlot_;
    QTimer* timer_;
    QTabWidget* pages_;
    ScheduleEditor* editor_ = nullptr;

    QString source_;
    QVector<QPoint> pixels_;
    int nextSlot_ = 0; // at the cap, the slot a new pixel takes (the oldest)
    SnrResult result_;
    quint64 ticket_ = 0;
    bool busy_ = false;
    bool pending_ = false;
};

} // namespace ds
