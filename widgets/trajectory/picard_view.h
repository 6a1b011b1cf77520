#pragma once
// Picard residuals (the trajectory tab's Picard page): for a picard-* run, the residual of
// every round at every chain position as a heatmap (widgets/trajectory/picard_heatmap.h, log
// colour bar), and a tolerance slider τ' ≥ the run's τ that re-reads the record: red dots mark
// the round at which each position would have been accepted (core's acceptanceRounds), and the
// sample as it stood then (sampleAtTolerance) is shown beside the run's own.
#include "core/data/data_range.h"
#include "core/instruments/picard_record.h"

#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QSlider;

namespace ds {

class ColourLegend;
class ImageCanvas;
class JobProgress;

class PicardView : public QWidget {
    Q_OBJECT
public:
    explicit PicardView(QWidget* parent = nullptr);

    // Shows a record (τ' back at the run's τ). `what` names the run.
    void setRecord(std::shared_ptr<const PicardRecord> record, DataRange range, const QString& what);
    // No record: says why ("not a Picard run", "recording…").
    void clear(const QString& why);
    bool hasRecord() const { return record_ != nullptr; }
    const PicardRecord* record() const { return record_.get(); }

    // τ' (clamped to ≥ the run's τ); the slider moves to the nearest of its stops.
    void setTolerance(double tolerance);
    double tolerance() const { return tolerance_; }
    // What is shown at τ': the round (1-based) accepting each position, and the sample.
    const std::vector<int64_t>& acceptance() const { return acceptance_; }
    const at::Tensor& sampleShown() const { return sample_; }
    QString summary() const;

    QSlider& toleranceSlider() const { return *slider_; }
    ImageCanvas& heatmap() const { return *heatmap_; }
    ColourLegend& legend() const { return *legend_; }
    JobProgress& progress() const { return *progress_; }

private:
    void onSlider(int value);
    void refresh();
    double sliderTolerance(int value) const;

    std::shared_ptr<const PicardRecord> record_;
    DataRange range_;
    double tolerance_ = 0;
    std::vector<int64_t> acceptance_;
    std::vector<int64_t> runAcceptance_;
    at::Tensor sample_;
    ImageCanvas* heatmap_;
    ColourLegend* legend_;
    QSlider* slider_;
    QLabel* sliderLabel_;
    QLabel* info_;
    QLabel* caption_;
    ImageCanvas* runSample_;
    ImageCanvas* toleranceSample_;
    QLabel* toleranceSampleLabel_;
    JobProgress* progress_;
};

} // namespace ds
