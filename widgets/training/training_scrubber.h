#pragma once
// Training × sampling: for a run folder (finished or still training), a grid with one column per
// step checkpoint (in step order) and rows at sampling steps, every column sampled by DDIM from
// the same x_T; two sliders scrub the checkpoint and the sampling step of the large view, and
// a curve under it shows the sample quality per checkpoint (FID proxy or MMD², see
// scrubber_columns.h). Columns are computed once per checkpoint on the scrubber's own engine
// thread, one after another, with progress and cancel, and cached: a rescan (a running
// training wrote a checkpoint) samples only the new ones.
#include "scrubber_columns.h"

#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

namespace ds {

class EngineThread;
class ImageCanvas;
class PlotWidget;

class TrainingScrubber : public QWidget {
    Q_OBJECT
public:
    explicit TrainingScrubber(QWidget* parent = nullptr);
    ~TrainingScrubber() override;

    // A new folder clears the cache; the same folder rescans.
    void setRunFolder(const QString& dir);
    QString runFolder() const { return folder_; }
    // New settings drop the cache (another x_T) and rescan.
    void setSettings(const ScrubberSettings& settings);
    ScrubberSettings settings() const;
    void rescan();
    void cancel();
    bool busy() const { return busy_ || pendingScan_; }

    void setCheckpointIndex(int i);
    void setStepIndex(int j);
    int checkpointIndex() const;
    int stepIndex() const;

    // Sampled columns in step order (failed ones included, with their error).
    const std::vector<ScrubberColumn>& columns() const { return columns_; }
    QString metricName() const { return metricName_; }
    PlotWidget& metricPlot() const { return *metricPlot_; }
    QImage gridImage() const { return grid_; }
    QImage currentImage() const;
    QString status() const;
    // Grid cell under a pixel of the grid image: {column, row}; {−1, −1} outside.
    std::pair<int, int> cellAt(QPoint pixel) const;
    std::vector<int> gridRows() const; // the sampling steps the grid's rows show

Q_SIGNALS:
    void columnAdded(int index);
    void scanFinished();
    void failed(const QString& message);

private:
    QWidget* makeTopRow();
    void startScan();
    void onColumn(const ScrubberColumn& column, const QString& metricName);
    void onProgress(int done, int total);
    void onScanEnded(const QString& message);
    void updateSliders();
    void updateView();
    void redrawGrid();
    void updateMetricPlot();
    int sampledSteps() const;

    QLineEdit* folderEdit_;
    QSpinBox* samples_;
    QSpinBox* steps_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;
    ImageCanvas* gridView_;
    ImageCanvas* view_;
    QSlider* checkpointSlider_;
    QSlider* stepSlider_;
    QLabel* checkpointLabel_;
    QLabel* stepLabel_;
    PlotWidget* metricPlot_;
    EngineThread* engine_;

    QString folder_;
    std::vector<ScrubberColumn> columns_;
    QString metricName_;
    QImage grid_;
    StopToken stop_;
    quint64 generation_ = 0; // bumped when the cache is dropped: older scans' columns are stale
    bool busy_ = false;
    bool pendingScan_ = false;
};

} // namespace ds
