#include "picard_view.h"

#include "picard_heatmap.h"
#include "widgets/common/colour_legend.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/tensor_image.h"
#include "widgets/engine/job_progress.h"

#include <ATen/ATen.h>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace ds {
namespace {

// The slider covers τ' = τ · 10^(v / kStopsPerDecade), v = 0 … kDecades · kStopsPerDecade.
constexpr int kStopsPerDecade = 50;
constexpr int kDecades = 4;

QString sci(double v) { return QString::number(v, 'g', 3); }

} // namespace

PicardView::PicardView(QWidget* parent) : QWidget(parent)
{
    heatmap_ = new ImageCanvas;
    legend_ = new ColourLegend;
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, kDecades * kStopsPerDecade);
    slider_->setToolTip(tr("τ' from the run's τ up to 10⁴ τ: re-reads the recorded rounds"));
    sliderLabel_ = new QLabel;
    info_ = new QLabel;
    info_->setWordWrap(true);
    caption_ = new QLabel(tr("residual ‖Δ‖²/(D σ²_step) per round (rows, 1 at the top) and chain position "
                             "(columns, x_T at the left) · white: the round's window · red: the round accepting "
                             "each position at τ' (accepted where the residual ≤ τ'²)"));
    caption_->setWordWrap(true);
    runSample_ = new ImageCanvas;
    toleranceSample_ = new ImageCanvas;
    toleranceSampleLabel_ = new QLabel(tr("sample at τ'"));
    progress_ = new JobProgress;

    auto* mapRow = new QHBoxLayout;
    mapRow->addWidget(heatmap_, 1);
    mapRow->addWidget(legend_);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("Tolerance τ'")));
    sliderRow->addWidget(slider_, 1);
    sliderRow->addWidget(sliderLabel_);
    auto* samples = new QGridLayout;
    samples->addWidget(new QLabel(tr("the run's sample (τ)")), 0, 0);
    samples->addWidget(toleranceSampleLabel_, 0, 1);
    samples->addWidget(runSample_, 1, 0);
    samples->addWidget(toleranceSample_, 1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(mapRow, 3);
    layout->addWidget(caption_);
    layout->addLayout(sliderRow);
    layout->addWidget(info_);
    layout->addLayout(samples, 2);
    layout->addWidget(progress_);
    connect(slider_, &QSlider::valueChanged, this, &PicardView::onSlider);
    clear(tr("Run a picard-* sampler in Frames: its rounds are recorded here."));
}

void PicardView::clear(const QString& why)
{
    record_.reset();
    acceptance_.clear();
    runAcceptance_.clear();
    sample_ = at::Tensor();
    heatmap_->setImage({});
    heatmap_->setNote(why);
    runSample_->setImage({});
    toleranceSample_->setImage({});
    slider_->setEnabled(false);
    sliderLabel_->clear();
    info_->setText(why);
}

void PicardView::setRecord(std::shared_ptr<const PicardRecord> record, DataRange range, const QString& what)
{
    record_ = std::move(record);
    range_ = range;
    heatmap_->setNote({});
    legend_->setScale(residualScale(*record_));
    runAcceptance_ = acceptanceRounds(*record_, record_->tolerance);
    runSample_->setImage(batchImage(record_->sample.back(), range_));
    slider_->setEnabled(true);
    info_->setToolTip(what);
    slider_->blockSignals(true);
    slider_->setValue(0);
    slider_->blockSignals(false);
    tolerance_ = record_->tolerance;
    refresh();
}

double PicardView::sliderTolerance(int value) const
{
    return record_ ? record_->tolerance * std::pow(10.0, double(value) / kStopsPerDecade) : 0.0;
}

void PicardView::onSlider(int value)
{
    if (!record_)
        return;
    tolerance_ = sliderTolerance(value); // value 0 gives τ itself (10⁰ = 1 exactly)
    refresh();
}

void PicardView::setTolerance(double tolerance)
{
    if (!record_)
        return;
    tolerance_ = std::max(tolerance, record_->tolerance);
    const double stops = std::log10(tolerance_ / record_->tolerance) * kStopsPerDecade;
    slider_->blockSignals(true);
    slider_->setValue(int(std::lround(stops)));
    slider_->blockSignals(false);
    refresh();
}

void PicardView::refresh()
{
    acceptance_ = acceptanceRounds(*record_, tolerance_);
    sample_ = sampleAtTolerance(*record_, tolerance_);
    const auto cell = heatmapCell(record_->residuals.size(0), record_->steps);
    heatmap_->setImage(residualHeatmap(*record_, legend_->scale(), acceptance_, cell));
    toleranceSample_->setImage(batchImage(sample_, range_));
    toleranceSampleLabel_->setText(tr("sample at τ' = %1 (round %2)").arg(sci(tolerance_)).arg(acceptance_.back()));
    sliderLabel_->setText(tr("τ' = %1 (τ² = %2 on the colour bar)").arg(sci(tolerance_), sci(tolerance_ * tolerance_)));
    info_->setText(summary());
}

QString PicardView::summary() const
{
    if (!record_)
        return info_->text();
    const auto rounds = record_->residuals.size(0);
    int64_t earlier = 0;
    for (size_t j = 0; j < acceptance_.size(); ++j)
        earlier += acceptance_[j] < runAcceptance_[j] ? 1 : 0;
    const double rms = (sample_ - record_->sample.back()).square().mean().sqrt().item<double>();
    return tr("run's τ = %1: %2 rounds for %3 positions · at τ' = %4 the last position is accepted in round %5, "
              "%6 positions earlier than in the run · sample at τ' − run's sample: RMS %7 (re-read from the "
              "recorded iterates; a run with τ' would slide its window sooner)")
        .arg(sci(record_->tolerance))
        .arg(rounds)
        .arg(record_->steps)
        .arg(sci(tolerance_))
        .arg(acceptance_.back())
        .arg(earlier)
        .arg(sci(rms));
}

} // namespace ds
