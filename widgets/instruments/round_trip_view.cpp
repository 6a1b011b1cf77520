#include "round_trip_view.h"

#include "core/instruments/instrument_data.h"
#include "plot_line.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/colour_map.h"
#include "widgets/common/image_canvas.h"
#include "widgets/common/tensor_image.h"
#include "widgets/engine/job_progress.h"
#include "widgets/engine/model_session.h"

#include "core/denoisers/denoiser.h"
#include "models/error.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

// Columns of an about-square grid of n images (the same for the images and the error map).
int64_t gridColumns(int64_t n) { return std::max<int64_t>(1, int64_t(std::ceil(std::sqrt(double(n))))); }

// Maps [N, C, H, W] → one [H', W'] map: the channel mean of each image on the grid batchImage
// draws with `columns` (one-pixel gaps, zeros in the gaps and empty cells).
at::Tensor tiledMap(const at::Tensor& map, int64_t columns)
{
    auto m = map.to(at::kDouble).mean(1); // [N, H, W]
    const int64_t n = m.size(0), h = m.size(1), w = m.size(2), rows = (n + columns - 1) / columns;
    auto out = at::zeros({rows * (h + 1) - 1, columns * (w + 1) - 1}, at::kDouble);
    for (int64_t i = 0; i < n; ++i)
        out.narrow(0, (i / columns) * (h + 1), h).narrow(1, (i % columns) * (w + 1), w).copy_(m[i]);
    return out;
}

QString rangeText(DataRange r) { return QStringLiteral("[%1, %2]").arg(r.lo).arg(r.hi); }

QString num(double v) { return QString::number(v, 'g', 6); }

ImageCanvas* titledCanvas(const QString& title, QGridLayout* grid, int column)
{
    auto* label = new QLabel(title);
    label->setAlignment(Qt::AlignCenter);
    auto* canvas = new ImageCanvas;
    canvas->setMinimumSize(160, 120);
    grid->addWidget(label, 0, column);
    grid->addWidget(canvas, 1, column);
    return canvas;
}

} // namespace

std::vector<int64_t> parseStepList(const QString& text)
{
    std::vector<int64_t> out;
    for (const auto& part : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const auto v = part.trimmed().toLongLong(&ok);
        require(ok && v >= 1, "step list: '", part.trimmed().toStdString(), "' is not a whole number >= 1");
        out.push_back(v);
    }
    return out;
}

RoundTripView::RoundTripView(ModelSession& model, QWidget* parent) : QWidget(parent), model_(model)
{
    setObjectName(QStringLiteral("roundTripView"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeForm());
    progress_ = new JobProgress;
    layout->addWidget(progress_);
    summary_ = new QLabel(tr("Invert real images to x_T and sample them back: press Run."));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(makeImages());
    auto* lower = new QSplitter(Qt::Horizontal);
    plot_ = new PlotWidget;
    plot_->setTitle(tr("Round-trip error against steps"));
    plot_->setAxisTitles(tr("steps (log₁₀: 1 = 10, 2 = 100)"), tr("error (raw, log scale)"));
    plot_->setLogY(true);
    plot_->setMinimumHeight(260);
    lower->addWidget(plot_);
    auto* checkBox = new QGroupBox(tr("Generate vs reconstruct: nearest training image"));
    auto* checkLayout = new QVBoxLayout(checkBox);
    checkCanvas_ = new ImageCanvas;
    checkCanvas_->setMinimumSize(160, 120);
    checkLabel_ = new QLabel;
    checkLabel_->setWordWrap(true);
    checkLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    checkLayout->addWidget(checkCanvas_, 1);
    checkLayout->addWidget(checkLabel_);
    lower->addWidget(checkBox);
    lower->setStretchFactor(0, 1);
    lower->setStretchFactor(1, 1);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    connect(progress_, &JobProgress::cancelRequested, this, &RoundTripView::cancel);
}

RoundTripView::~RoundTripView() { stop_.requestStop(); }

QWidget* RoundTripView::makeForm()
{
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    source_ = new QComboBox;
    source_->addItems({tr("held-out data (first N)"), tr("image file…")});
    connect(source_, &QComboBox::activated, this, [this](int i) {
        if (i != 1) { // back to the held-out data
            images_ = at::Tensor();
            imagesName_.clear();
            return;
        }
        const auto path = QFileDialog::getOpenFileName(this, tr("Images to invert"), {},
                                                       tr("Images (*.npy *.png *.jpg *.jpeg *.bmp);;All files (*)"));
        const auto error = path.isEmpty() ? tr("no file chosen") : loadImageFile(path);
        if (!error.isEmpty()) {
            source_->setCurrentIndex(0);
            summary_->setText(error);
        }
    });
    count_ = new QSpinBox;
    count_->setRange(1, 64);
    count_->setValue(4);
    sampler_ = new QComboBox;
    sampler_->addItem(tr("ddim (η = 0)"), QStringLiteral("ddim"));
    sampler_->addItem(tr("pf-ode-heun"), QStringLiteral("pf-ode-heun"));
    steps_ = new QSpinBox;
    steps_->setRange(1, 1000);
    steps_->setValue(20);
    curveSteps_ = new QLineEdit(QStringLiteral("5,10,20,50"));
    curveSteps_->setToolTip(tr("step counts of the error curve, comma-separated (empty: no curve)"));
    check_ = new QCheckBox(tr("generate-vs-reconstruct check"));
    check_->setChecked(true);
    runButton_ = new QPushButton(tr("Run"));
    connect(runButton_, &QPushButton::clicked, this, &RoundTripView::run);
    for (auto [text, w] : {std::pair{tr("Images"), static_cast<QWidget*>(source_)}, std::pair{tr("N"), static_cast<QWidget*>(count_)},
                           std::pair{tr("Sampler"), static_cast<QWidget*>(sampler_)}, std::pair{tr("Steps"), static_cast<QWidget*>(steps_)},
                           std::pair{tr("Error curve at"), static_cast<QWidget*>(curveSteps_)}}) {
        row->addWidget(new QLabel(text));
        row->addWidget(w);
    }
    row->addWidget(check_);
    row->addStretch();
    row->addWidget(runButton_);
    return box;
}

QWidget* RoundTripView::makeImages()
{
    auto* box = new QWidget;
    auto* grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    const QString titles[4] = {tr("original x0"), tr("inverted x_T (shown over ±3)"), tr("reconstruction"),
                               tr("error map |reconstruction − x0|")};
    for (int i = 0; i < 4; ++i)
        canvases_[i] = titledCanvas(titles[i], grid, i);
    return box;
}

void RoundTripView::setSampler(const QString& sampler) { sampler_->setCurrentIndex(sampler_->findData(sampler)); }
void RoundTripView::setSteps(int steps) { steps_->setValue(steps); }
void RoundTripView::setCount(int count) { count_->setValue(count); }
void RoundTripView::setCurveSteps(const QString& list) { curveSteps_->setText(list); }
void RoundTripView::setGenerateCheck(bool on) { check_->setChecked(on); }

void RoundTripView::setImages(const at::Tensor& images)
{
    images_ = images;
    imagesName_ = tr("%1 given images").arg(images.defined() ? images.size(0) : 0);
}

QString RoundTripView::loadImageFile(const QString& path)
{
    const auto d = model_.denoiser();
    if (!d)
        return tr("open a model first");
    try {
        images_ = imagesFromFile(path.toStdString(), d->info()); // reads the file only (info is fixed at open)
        imagesName_ = QFileInfo(path).fileName();
        source_->setCurrentIndex(1);
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
}

RoundTripRequest RoundTripView::request(QString* error) const
{
    RoundTripRequest r;
    r.denoiser = model_.denoiser();
    r.images = images_;
    r.count = count_->value();
    r.sampler = sampler_->currentData().toString().toStdString();
    r.options.steps = steps_->value();
    r.options.eta = 0; // deterministic: DDIM with η = 0 is the ODE's Euler step
    r.generateCheck = check_->isChecked();
    try {
        r.curveSteps = parseStepList(curveSteps_->text());
    } catch (const std::exception& e) {
        *error = QString::fromStdString(userMessage(e));
    }
    if (!r.denoiser)
        *error = tr("open a model first");
    return r;
}

void RoundTripView::run()
{
    QString error;
    const auto r = request(&error);
    if (!error.isEmpty())
        return summary_->setText(error);
    if (running_)
        cancel();
    stop_ = StopToken();
    const quint64 ticket = ++ticket_;
    running_ = true;
    runButton_->setEnabled(false);
    progress_->start(tr("round trip: %1, %2 steps").arg(QString::fromStdString(r.sampler)).arg(r.options.steps));
    postRoundTripJob(
        model_.engine(), r, this,
        [this, ticket](qint64 done, qint64 total) {
            if (ticket == ticket_ && running_)
                progress_->setProgress(done, total);
        },
        [this, ticket](const RoundTripOutcome& o) {
            if (ticket == ticket_) // a newer run replaced this one: drop it
                show(o);
        },
        stop_);
}

void RoundTripView::cancel()
{
    stop_.requestStop();
    running_ = false;
    runButton_->setEnabled(true);
    progress_->finish(tr("cancelled"));
}

void RoundTripView::show(const RoundTripOutcome& o)
{
    running_ = false;
    runButton_->setEnabled(true);
    outcome_ = o;
    if (!o.error.isEmpty()) {
        progress_->finish(tr("failed"));
        summary_->setText(tr("Round trip failed: %1").arg(o.error));
        Q_EMIT finished();
        return;
    }
    progress_->finish(o.cancelled ? tr("cancelled after the round trip") : tr("done"));
    summary_->setText(summaryText());
    showImages(o);
    showCurve(o);
    showCheck(o);
    Q_EMIT finished();
}

QString RoundTripView::summaryText() const
{
    const auto& o = outcome_;
    if (!o.trip.reconstruction.defined())
        return {};
    return tr("%1 round trip of %2 images (%3), %4 steps: RMSE %5, max error %6 (raw values, data range %7); "
              "%8 network passes; fixed point at the last step: residual %9 after %10 iterations")
        .arg(QString::fromStdString(o.sampler))
        .arg(o.x0.size(0))
        .arg(imagesName_.isEmpty() ? tr("held-out data") : imagesName_)
        .arg(int64_t(o.trip.grid.size()))
        .arg(num(o.trip.rmse), num(o.trip.maxError), rangeText(o.range))
        .arg(o.trip.passes)
        .arg(num(o.trip.inversion.fixedPointResidual))
        .arg(o.trip.inversion.fixedPointIterations);
}

void RoundTripView::showImages(const RoundTripOutcome& o)
{
    const auto columns = gridColumns(o.x0.size(0));
    canvases_[0]->setImage(batchImage(o.x0, o.range, columns));
    canvases_[1]->setImage(batchImage(o.trip.inversion.xT.to(at::kFloat), {-3, 3}, columns));
    canvases_[2]->setImage(batchImage(o.trip.reconstruction, o.range, columns));
    ColourScale scale;
    scale.lo = 0;
    scale.hi = o.trip.maxError > 0 ? o.trip.maxError : 1;
    scale.label = tr("|error|");
    canvases_[3]->setImage(colourMapImage(tiledMap(o.trip.errorMap, columns), scale));
    canvases_[3]->setColourScale(scale);
}

void RoundTripView::showCurve(const RoundTripOutcome& o)
{
    QVector<QPointF> rmse, maxError;
    for (const auto& p : o.curve) {
        rmse.push_back({std::log10(double(p.steps)), p.rmse});
        maxError.push_back({std::log10(double(p.steps)), p.maxError});
    }
    plot_->setSeries({plotLine(tr("RMSE"), rmse, QColor(31, 119, 180)),
                      plotLine(tr("max |error|"), maxError, QColor(214, 39, 40), Qt::DashLine)});
}

QString RoundTripView::checkText() const
{
    const auto& c = outcome_.check;
    if (!c.done)
        return c.why.isEmpty() ? tr("not run") : tr("not run: %1").arg(c.why);
    auto line = [](const NearestTraining& nt) {
        QStringList d;
        for (int64_t i = 0; i < nt.distance.size(0); ++i)
            d << num(nt.distance[i].item<double>());
        return tr("mean %1 (each: %2)").arg(num(nt.distance.mean().item<double>()), d.join(QStringLiteral(", ")));
    };
    QString text = tr("RMS distance per pixel to the nearest of %1 training images.\nTop row, from N(0, I): %2.\n"
                      "Bottom row, from the images forward-diffused to the first step: %3.\n")
                       .arg(c.searched)
                       .arg(line(c.nearestNoise), line(c.nearestData));
    text += c.empiricalOracle
                ? tr("Note: this is the exact empirical oracle, the posterior mean of the training set itself: a full "
                     "run of it always ends on a training image, so distances near 0 are expected of it.")
                : tr("Distances near 0 from N(0, I) mean the model reproduces training images (the exact empirical "
                     "oracle always does).");
    return text;
}

void RoundTripView::showCheck(const RoundTripOutcome& o)
{
    checkLabel_->setText(checkText());
    if (o.check.done)
        checkCanvas_->setImage(batchImage(at::cat({o.check.fromNoise, o.check.fromData}), o.range, o.check.fromNoise.size(0)));
    else
        checkCanvas_->setImage({});
}

} // namespace ds
