#include "snr_analysis.h"

#include "snr_image_source.h"
#include "widgets/common/tensor_image.h"

#include "core/snr.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <cmath>
#include <iterator>
#include <vector>

namespace ds {
namespace {

struct Selection {
    QString name;
    at::Tensor values; // x̃0 of each curve's pixel, [1, 1, 1, P] — the schedules are pointwise in x0
    QColor colour;
};

// A curve keeps its colour when others come and go: pixel i has the i-th colour of a fixed
// palette (a click adds a colour, it does not move every hue), value bins share a warm ramp by
// their position in [ε, 1].
QColor pixelColour(int i)
{
    static const QColor palette[] = {{31, 119, 180}, {44, 160, 44}, {148, 103, 189}, {23, 190, 207}, {227, 119, 194}, {110, 110, 110}};
    return palette[i % int(std::size(palette))];
}

QColor binColour(int bin)
{
    static const QColor palette[] = {{214, 39, 40}, {255, 127, 14}, {188, 189, 34}, {140, 86, 75}, {150, 20, 90}};
    return palette[bin % int(std::size(palette))];
}

// One curve per chosen pixel, then one per non-empty value bin (its mean value).
QVector<Selection> selections(const at::Tensor& plane, const QVector<QPoint>& pixels, int bins, double epsilon)
{
    QVector<Selection> out;
    for (const auto& p : pixels) {
        auto v = plane[p.y()][p.x()].item<double>();
        out.append({QStringLiteral("pixel (%1, %2), x̃0 = %3").arg(p.x()).arg(p.y()).arg(v, 0, 'f', 3),
                    at::full({1, 1, 1, 1}, v), pixelColour(int(out.size()))});
    }
    for (int b = 0; b < bins; ++b) {
        const double lo = epsilon + (1 - epsilon) * b / bins, hi = epsilon + (1 - epsilon) * (b + 1) / bins;
        auto inBin = (plane >= lo) & (b + 1 == bins ? plane <= hi : plane < hi);
        const auto count = inBin.sum().item<int64_t>();
        if (count == 0)
            continue;
        const double mean = plane.masked_select(inBin).mean().item<double>();
        out.append({QStringLiteral("bin [%1, %2%3: %4 px, mean %5")
                        .arg(lo, 0, 'f', 2)
                        .arg(hi, 0, 'f', 2)
                        .arg(b + 1 == bins ? QStringLiteral("]") : QStringLiteral(")"))
                        .arg(count)
                        .arg(mean, 0, 'f', 3),
                    at::full({1, 1, 1, 1}, mean), binColour(b)});
    }
    return out;
}

// All selections side by side, [1, 1, 1, P]: the schedules act pointwise on x0.
at::Tensor stacked(const QVector<Selection>& sel)
{
    std::vector<at::Tensor> parts;
    for (const auto& s : sel)
        parts.push_back(s.values);
    return at::cat(parts, 3);
}

// Solid pixel-aware curves carry the legend (colour = pixel or bin); their dashed linear twins
// share the colour and stay out of it.
PlotSeries emptySeries(const QVector<Selection>& sel, int i, const QString& tag, Qt::PenStyle style)
{
    PlotSeries s;
    s.name = tag + " " + sel[i].name;
    s.colour = sel[i].colour;
    s.style = style;
    s.legend = sel[i].name;
    s.inLegend = style == Qt::SolidLine;
    return s;
}

// SNR of each selection over t/T for one schedule: one snrCurves call, [T, P].
void addSnrCurves(QVector<PlotSeries>& out, const Schedule& s, const QVector<Selection>& sel, const QString& tag,
                  Qt::PenStyle style)
{
    if (sel.isEmpty())
        return;
    const int64_t T = s.steps();
    auto curves = snrCurves(s, stacked(sel)).to(at::kDouble).contiguous();
    const auto* data = curves.data_ptr<double>();
    for (int i = 0; i < sel.size(); ++i) {
        auto series = emptySeries(sel, i, tag, style);
        series.points.reserve(int(T));
        for (int64_t k = 0; k < T; ++k)
            series.points.append({double(k + 1) / double(T), data[k * sel.size() + i]});
        out.append(series);
    }
}

// E[x_t] and Var[x_t] of each selection over t/T for one schedule (seed 002 Fig. 2).
void addMomentCurves(SnrResult& r, const Schedule& s, const QVector<Selection>& sel, const QString& tag,
                     Qt::PenStyle style)
{
    if (sel.isEmpty())
        return;
    const int64_t T = s.steps();
    const auto values = stacked(sel);
    QVector<PlotSeries> mean, var;
    for (int i = 0; i < sel.size(); ++i)
        mean.append(emptySeries(sel, i, tag, style)), var.append(emptySeries(sel, i, tag, style));
    for (int64_t k = -1; k < T; ++k) { // k = −1: t = 0, the clean value
        const auto m = forwardMoments(s, values, k);
        auto mk = m.mean.to(at::kDouble).contiguous(), vk = m.variance.to(at::kDouble).contiguous();
        const double u = double(k + 1) / double(T);
        for (int i = 0; i < sel.size(); ++i) {
            mean[i].points.append({u, mk.data_ptr<double>()[i]});
            var[i].points.append({u, vk.data_ptr<double>()[i]});
        }
    }
    r.mean += mean;
    r.variance += var;
}

void makeMap(SnrResult& r, const SnrRequest& q, const Schedule& s, const at::Tensor& x0)
{
    const int64_t k = snrIndexAt(q.time, s.steps());
    at::Tensor map;
    switch (q.map) {
    case SnrMapKind::Snr:
        map = pixelSnr(s, x0, k);
        r.scale = scaleFor(map[0][q.channel], true, QObject::tr("SNR (log10)"));
        break;
    case SnrMapKind::Variance:
        map = forwardMoments(s, x0, k).variance;
        r.scale = scaleFor(map[0][q.channel], false, QObject::tr("Var[x_t]"));
        break;
    case SnrMapKind::Kl:
        map = priorKlAt(s, x0, k);
        r.scale = scaleFor(map[0][q.channel], true, QObject::tr("KL to N(0,1), nats (log10)"));
        break;
    }
    r.map = colourMapImage(map[0][q.channel], r.scale);
    r.mapTitle = QObject::tr("%1 · %2 · t = %3 / %4")
                     .arg(r.scale.label, q.mapPixelAware ? QObject::tr("pixel-aware") : QObject::tr("linear DDPM"))
                     .arg(k + 1)
                     .arg(s.steps());
}

QString summaryLine(const QString& name, const PriorMismatch& m)
{
    return QObject::tr("%1: %2 nats/pixel, %3 nats/image, %4% of pixels with Var[x_T] < 0.5")
        .arg(name)
        .arg(m.meanKl, 0, 'g', 4)
        .arg(m.totalKl, 0, 'g', 5)
        .arg(100.0 * m.fractionLowVariance, 0, 'f', 1);
}

} // namespace

int64_t snrIndexAt(double time, int64_t T) { return std::clamp<int64_t>(std::llround(time * double(T)), 1, T) - 1; }

SnrResult analyzeSnr(const SnrRequest& q)
{
    SnrResult r;
    r.ticket = q.ticket;
    try {
        const double eps = q.pixelAware.epsilon;
        const auto x0 = loadSnrImage(q.source, eps);
        const DataRange range{eps, 1.0};
        const Schedule pixelAware(q.pixelAware, range), linear(q.linear, range);
        r.channels = int(x0.size(1));
        r.image = imageFromChw(x0[0], range);
        const int channel = std::clamp(q.channel, 0, r.channels - 1);
        for (const auto& p : q.pixels)
            if (p.x() >= 0 && p.y() >= 0 && p.x() < x0.size(3) && p.y() < x0.size(2))
                r.pixels.append(p);
        const auto sel = selections(x0[0][channel], r.pixels, q.bins, eps);
        const auto paTag = QObject::tr("pixel-aware"), linTag = QObject::tr("linear");
        addSnrCurves(r.snr, pixelAware, sel, paTag, Qt::SolidLine);
        addSnrCurves(r.snr, linear, sel, linTag, Qt::DashLine);
        addMomentCurves(r, pixelAware, sel, paTag, Qt::SolidLine);
        addMomentCurves(r, linear, sel, linTag, Qt::DashLine);
        SnrRequest mapRequest = q;
        mapRequest.channel = channel;
        makeMap(r, mapRequest, q.mapPixelAware ? pixelAware : linear, x0);
        r.summary = QObject::tr("Terminal prior mismatch KL(q(x_T | x0) ‖ N(0, I)):\n%1\n%2")
                        .arg(summaryLine(QObject::tr("pixel-aware (%1)").arg(QString::fromStdString(q.pixelAware.describe())),
                                         summarizePriorMismatch(pixelAware, x0)),
                             summaryLine(QObject::tr("linear DDPM (%1)").arg(QString::fromStdString(q.linear.describe())),
                                         summarizePriorMismatch(linear, x0)));
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(ds::userMessage(e));
    }
    return r;
}

} // namespace ds
