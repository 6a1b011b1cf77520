#include "probe_panel.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"

#include "core/io/atomic_file.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>

namespace ds {
namespace {

constexpr int kMaxPatch = 8;
constexpr int kMinimumWidth = 260;

QString axisTitle(FrameAxis axis)
{
    switch (axis) {
    case FrameAxis::LogSnr: return ProbePanel::tr("log-SNR λ = log(ᾱ/(1−ᾱ))");
    case FrameAxis::Nfe: return ProbePanel::tr("network evaluations (NFE)");
    case FrameAxis::Time: break;
    }
    return ProbePanel::tr("t/T  (1 = x_T)");
}

// Every source probed for one region; runs on a pool thread (reads copies only).
QList<ProbeCurve> probeAll(const QList<ProbeSource>& sources, const ProbeRegion& region)
{
    QList<ProbeCurve> curves;
    for (const auto& s : sources) {
        if (s.trajectory.empty() || !s.schedule)
            continue;
        const auto& x = s.trajectory.frame(0);
        if (region.sample >= x.size(0) || region.channel >= x.size(1) || region.y + region.height > x.size(2)
            || region.x + region.width > x.size(3))
            continue; // this pane's batch or image is smaller
        auto table = probeTrajectory(s.trajectory, *s.schedule, {region});
        for (size_t f = 0; f < table.nfe.size() && f < s.nfe.size(); ++f)
            if (s.nfe[f] >= 0)
                table.nfe[f] = s.nfe[f]; // measured passes, as `probe --csv` reports them
        curves.append({s.legend, s.sampler, s.colour, std::move(table)});
    }
    return curves;
}

} // namespace

QColor ProbePanel::paneColour(int pane)
{
    static const QColor kColours[] = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44},
                                      {148, 103, 189}, {255, 127, 14}, {23, 190, 207}};
    return kColours[pane % 6];
}

ProbePanel::ProbePanel(QWidget* parent) : QWidget(parent)
{
    title_ = new QLabel(tr("Pixel probe: click a pixel in any pane"));
    patch_ = new QSpinBox;
    patch_->setRange(1, kMaxPatch);
    patch_->setPrefix(tr("patch "));
    patch_->setToolTip(tr("probe the mean of a patch × patch square from the clicked pixel"));
    export_ = new QPushButton(tr("Export CSV…"));
    export_->setEnabled(false);
    values_ = new PlotWidget;
    values_->setAxisTitles(axisTitle(axis_), tr("pixel value: x_t solid, x̂0 dashed"));
    snr_ = new PlotWidget;
    snr_->setAxisTitles(tr("t/T  (1 = x_T)"), tr("λ of the pixel"));
    snr_->setLegendVisible(false);

    title_->setWordWrap(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(patch_);
    controls->addStretch(1);
    controls->addWidget(export_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addLayout(controls);
    layout->addWidget(values_, 3);
    layout->addWidget(snr_, 2);
    // A narrow floor, so six panes and the probe still fit a 1600-pixel screen.
    setMinimumWidth(kMinimumWidth);

    connect(patch_, &QSpinBox::valueChanged, this, [this] {
        if (region_)
            setPixel(int(region_->sample), int(region_->x), int(region_->y));
        Q_EMIT patchChanged();
    });
    connect(export_, &QPushButton::clicked, this, &ProbePanel::exportWithDialog);
}

void ProbePanel::setPixel(int sample, int x, int y)
{
    const int64_t p = patch_->value();
    region_ = ProbeRegion{sample, 0, y, x, p, p};
    title_->setText(p == 1 ? tr("Pixel probe: sample %1, pixel (y %2, x %3), channel 0").arg(sample).arg(y).arg(x)
                           : tr("Pixel probe: sample %1, patch %4×%4 from (y %2, x %3), channel 0")
                                 .arg(sample).arg(y).arg(x).arg(p));
    Q_EMIT markersChanged();
}

std::optional<ProbeRegion> ProbePanel::region() const { return region_; }
int ProbePanel::patch() const { return patch_->value(); }

void ProbePanel::setAxis(FrameAxis axis)
{
    axis_ = axis;
    values_->setAxisTitles(axisTitle(axis), tr("pixel value: x_t solid, x̂0 dashed"));
    values_->setIntegerX(axis == FrameAxis::Nfe);
    // λ against λ says nothing: the λ chart then runs against t/T.
    const auto snrAxis = axis == FrameAxis::LogSnr ? FrameAxis::Time : axis;
    snr_->setAxisTitles(axisTitle(snrAxis), tr("λ of the pixel"));
    snr_->setIntegerX(snrAxis == FrameAxis::Nfe);
    showCurves();
}

void ProbePanel::setMarker(double value)
{
    values_->setMarkerX(std::isfinite(value) ? value : std::numeric_limits<double>::quiet_NaN());
    snr_->setMarkerX(axis_ == FrameAxis::LogSnr || !std::isfinite(value) ? std::numeric_limits<double>::quiet_NaN()
                                                                         : value);
}

void ProbePanel::probe(QList<ProbeSource> sources)
{
    if (!region_)
        return;
    const auto ticket = ++ticket_;
    struct Result {
        QList<ProbeCurve> curves;
        QString error;
    };
    auto* watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, ticket] {
        watcher->deleteLater();
        if (ticket != ticket_)
            return; // a newer request owns the charts
        const auto result = watcher->result();
        curves_ = result.curves;
        if (!result.error.isEmpty()) // a failed probe says so instead of plotting
            title_->setText(tr("Pixel probe failed: %1").arg(result.error));
        showCurves();
        Q_EMIT curvesReady();
    });
    // Exceptions do not cross threads: the worker returns the message as a value.
    watcher->setFuture(QtConcurrent::run([sources = std::move(sources), region = *region_]() -> Result {
        try {
            return {probeAll(sources, region), {}};
        } catch (const std::exception& e) {
            return {{}, QString::fromStdString(userMessage(e))};
        }
    }));
}

// x of frame f: t/T, λ (+∞ at the samples: not drawn) or NFE.
double ProbePanel::xOf(const ProbeCurve& c, size_t f, bool snrChart) const
{
    const auto axis = snrChart && axis_ == FrameAxis::LogSnr ? FrameAxis::Time : axis_;
    switch (axis) {
    case FrameAxis::LogSnr: return c.table.logSnr[int64_t(f)][0].item<double>();
    case FrameAxis::Nfe: return double(c.table.nfe[f]);
    case FrameAxis::Time: break;
    }
    return double(c.table.t[f]) / double(c.table.T);
}

void ProbePanel::showCurves()
{
    QVector<PlotSeries> values, snr;
    for (const auto& c : curves_) {
        PlotSeries xt, x0, lambda;
        xt.name = lambda.name = c.legend;
        x0.name = c.legend + tr(" x̂0");
        xt.colour = x0.colour = lambda.colour = c.colour;
        x0.style = Qt::DashLine; // x̂0 dashed beside its solid x_t
        x0.inLegend = false;
        for (size_t f = 0; f < c.table.t.size(); ++f) {
            const auto F = int64_t(f);
            const double x = xOf(c, f, false), xs = xOf(c, f, true);
            const double vt = c.table.xt[F][0].item<double>(), v0 = c.table.x0[F][0].item<double>();
            const double l = c.table.logSnr[F][0].item<double>();
            if (std::isfinite(x)) {
                xt.points.append({x, vt});
                if (std::isfinite(v0))
                    x0.points.append({x, v0});
            }
            if (std::isfinite(xs) && std::isfinite(l))
                lambda.points.append({xs, l});
        }
        values << xt << x0;
        snr << lambda;
    }
    values_->setSeries(values);
    snr_->setSeries(snr);
    export_->setEnabled(!curves_.isEmpty());
}

// sampler, pixel, y, x, t, t_over_T, log_snr, nfe, xt, x0: app/cli/command_probe.cpp's columns.
QString ProbePanel::saveCsv(const QString& path) const
{
    if (curves_.isEmpty() || !region_)
        return tr("nothing probed yet: click a pixel in a pane");
    try {
        writeFileAtomically(path.toStdString(), [&](std::ostream& out) {
            out << std::setprecision(std::numeric_limits<double>::max_digits10);
            out << "sampler,pixel,y,x,t,t_over_T,log_snr,nfe,xt,x0\n";
            for (const auto& c : curves_)
                for (size_t f = 0; f < c.table.t.size(); ++f) {
                    const auto F = int64_t(f);
                    out << c.sampler.toStdString() << ",0," << region_->y << ',' << region_->x << ',' << c.table.t[f]
                        << ',' << double(c.table.t[f]) / double(c.table.T) << ','
                        << c.table.logSnr[F][0].item<double>() << ',' << c.table.nfe[f] << ','
                        << c.table.xt[F][0].item<double>() << ',' << c.table.x0[F][0].item<double>() << '\n';
                }
        });
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
    return {};
}

void ProbePanel::exportWithDialog()
{
    const auto path = QFileDialog::getSaveFileName(this, tr("Export probe table"), dialogPath("probe.csv"),
                                                   tr("CSV (*.csv)"));
    rememberDialogChoice(path);
    if (path.isEmpty())
        return;
    if (const auto problem = saveCsv(path); !problem.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), problem);
}

} // namespace ds
