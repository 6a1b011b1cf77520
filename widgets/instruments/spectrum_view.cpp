#include "spectrum_view.h"

#include "plot_line.h"

#include "widgets/common/chart_adapter.h"
#include "widgets/common/dialog_folder.h"
#include "widgets/engine/engine_thread.h"

#include "core/io/csv.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ds {
namespace {

QVector<double> row(const at::Tensor& table, int64_t i)
{
    QVector<double> out;
    if (!table.defined() || i < 0 || i >= table.size(0))
        return out;
    auto r = table[i].contiguous();
    const auto* p = r.data_ptr<double>();
    out.reserve(int(r.numel()));
    for (int64_t k = 0; k < r.numel(); ++k)
        out.push_back(p[k]);
    return out;
}

// (log10 radius, power) for radius ≥ 1 with positive, finite power.
QVector<QPointF> curve(const QVector<double>& power)
{
    QVector<QPointF> points;
    for (int r = 1; r < power.size(); ++r)
        if (std::isfinite(power[r]) && power[r] > 0)
            points.push_back({std::log10(double(r)), power[r]});
    return points;
}

} // namespace

SpectrumView::SpectrumView(EngineThread& engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    setObjectName(QStringLiteral("spectrumView"));
    auto* layout = new QVBoxLayout(this);
    plot_ = new PlotWidget;
    plot_->setTitle(tr("Radial power spectrum"));
    plot_->setAxisTitles(tr("radius (cycles per image, log₁₀ scale: 0 = 1, 1 = 10)"), tr("power |F|²/(HW) (log scale)"));
    plot_->setLogY(true);
    layout->addWidget(plot_, 1);
    auto* row = new QHBoxLayout;
    note_ = new QLabel(tr("Run a trajectory: its spectra appear here."));
    note_->setWordWrap(true);
    exportButton_ = new QPushButton(tr("Export CSV…"));
    exportButton_->setEnabled(false);
    connect(exportButton_, &QPushButton::clicked, this, &SpectrumView::exportWithDialog);
    row->addWidget(note_, 1);
    row->addWidget(exportButton_);
    layout->addLayout(row);
}

void SpectrumView::setTrajectory(const Trajectory& trajectory, std::shared_ptr<Denoiser> denoiser)
{
    if (trajectory.empty())
        return clear();
    const quint64 ticket = ++ticket_;
    ++pending_;
    note_->setText(tr("computing the spectra of %1 frames…").arg(trajectory.size()));
    postSpectrumJob(engine_, {trajectory, std::move(denoiser)}, this, [this, ticket](const SpectrumOutcome& o) {
        --pending_;
        if (ticket == ticket_)
            adopt(o);
    });
}

void SpectrumView::clear()
{
    ++ticket_;
    spectra_ = {};
    exportButton_->setEnabled(false);
    plot_->setSeries({});
    note_->setText(tr("no trajectory"));
}

void SpectrumView::adopt(const SpectrumOutcome& o)
{
    if (!o.error.isEmpty()) {
        spectra_ = {};
        note_->setText(tr("no spectrum: %1").arg(o.error));
        Q_EMIT failed(o.error);
        return;
    }
    spectra_ = o;
    exportButton_->setEnabled(true);
    replot();
    Q_EMIT computed();
}

void SpectrumView::showFrame(int frame)
{
    frame_ = frame;
    replot();
}

QVector<double> SpectrumView::xtPower(int frame) const { return row(spectra_.xt, frame); }
QVector<double> SpectrumView::x0Power(int frame) const { return row(spectra_.x0, frame); }

QVector<double> SpectrumView::dataPower() const
{
    return spectra_.data.defined() ? row(spectra_.data.unsqueeze(0), 0) : QVector<double>{};
}

QString SpectrumView::note() const { return note_->text(); }

void SpectrumView::replot()
{
    if (!ready())
        return;
    const int f = std::clamp(frame_ < 0 ? int(spectra_.t.size()) - 1 : frame_, 0, int(spectra_.t.size()) - 1);
    const auto t = spectra_.t[size_t(f)];
    QVector<PlotSeries> series{plotLine(tr("x_t (t = %1)").arg(t), curve(xtPower(f)), QColor(31, 119, 180))};
    const auto x0 = curve(x0Power(f));
    if (!x0.isEmpty())
        series.push_back(plotLine(tr("predicted x0 at t = %1").arg(t), x0, QColor(214, 39, 40)));
    if (spectra_.data.defined())
        series.push_back(plotLine(tr("data (mean)"), curve(dataPower()), QColor(60, 60, 60), Qt::DashLine));
    plot_->setSeries(series);
    QString text = tr("frame %1 of %2, t = %3").arg(f + 1).arg(spectra_.t.size()).arg(t);
    if (x0.isEmpty())
        text += tr(" · no predicted x0 (x̂0) stored for this frame");
    note_->setText(text + " · " + spectra_.dataNote);
}

QString SpectrumView::exportCsv(const QString& path) const
{
    if (!ready())
        return tr("no spectra to export: run a trajectory first");
    try {
        const int64_t F = spectra_.xt.size(0), R = spectra_.xt.size(1);
        auto ts = at::empty({F}, at::kDouble);
        for (int64_t i = 0; i < F; ++i)
            ts[i] = double(spectra_.t[size_t(i)]);
        std::vector<at::Tensor> columns{ts.unsqueeze(1).expand({F, R}), at::arange(R, at::kDouble).expand({F, R}),
                                        spectra_.counts.to(at::kDouble).expand({F, R}), spectra_.xt, spectra_.x0};
        std::vector<std::string> names{"t", "radius", "count", "xt", "x0"};
        if (spectra_.data.defined()) {
            columns.push_back(spectra_.data.expand({F, R}));
            names.push_back("data");
        }
        for (auto& c : columns)
            c = c.reshape({-1});
        saveCsv(path.toStdString(), names, at::stack(columns, 1));
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(userMessage(e));
    }
}

void SpectrumView::exportWithDialog()
{
    const auto path = QFileDialog::getSaveFileName(this, tr("Export the spectra"), dialogPath(QStringLiteral("spectrum.csv")),
                                                   tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    rememberDialogChoice(path);
    const auto error = exportCsv(path);
    if (!error.isEmpty())
        Q_EMIT failed(error);
}

} // namespace ds
