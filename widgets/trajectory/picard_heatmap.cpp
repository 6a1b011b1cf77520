#include "picard_heatmap.h"

#include <ATen/ATen.h>

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ds {

ColourScale residualScale(const PicardRecord& record)
{
    ColourScale s;
    s.log = true;
    s.label = QObject::tr("residual"); // ‖Δ‖²/(D σ²_step): the page's caption says it
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const auto r = record.residuals.contiguous();
    const double* p = r.data_ptr<double>();
    for (int64_t i = 0, n = r.numel(); i < n; ++i)
        if (std::isfinite(p[i]) && p[i] > 0) {
            lo = std::min(lo, std::log10(p[i]));
            hi = std::max(hi, std::log10(p[i]));
        }
    s.lo = std::isfinite(lo) ? lo : -1;
    s.hi = std::isfinite(hi) && hi > s.lo ? hi : s.lo + 1;
    return s;
}

QSize heatmapCell(int64_t rounds, int64_t steps, QSize target)
{
    auto fit = [](int64_t n, int length) { return int(std::clamp<int64_t>(length / std::max<int64_t>(n, 1), 1, 12)); };
    return {fit(steps, target.width()), fit(rounds, target.height())};
}

QImage residualHeatmap(const PicardRecord& record, const ColourScale& scale, const std::vector<int64_t>& acceptance,
                       QSize cell)
{
    const int rounds = int(record.residuals.size(0)), steps = int(record.steps);
    const int cw = cell.width(), ch = cell.height();
    QImage image(steps * cw, rounds * ch, QImage::Format_RGB32);
    image.fill(QColor(45, 45, 45)); // outside every window
    const auto r = record.residuals.contiguous();
    const double* p = r.data_ptr<double>();
    const double span = scale.hi - scale.lo;
    QPainter painter(&image);
    for (int row = 0; row < rounds; ++row)
        for (int j = 0; j < steps; ++j) {
            const double v = p[int64_t(row) * steps + j];
            if (std::isnan(v))
                continue;
            const double u = v > 0 ? (std::log10(v) - scale.lo) / span : 0.0; // 0: the bottom colour
            painter.fillRect(j * cw, row * ch, cw, ch, rampColour(scale.ramp, u));
        }
    painter.setPen(QPen(Qt::white, 1));
    for (int row = 0; row < rounds && row < int(record.windowBegin.size()); ++row) {
        const int x0 = int(record.windowBegin[size_t(row)]) * cw, x1 = int(record.windowEnd[size_t(row)]) * cw - 1;
        painter.drawLine(x0, row * ch, x0, row * ch + ch - 1);
        painter.drawLine(x1, row * ch, x1, row * ch + ch - 1);
    }
    const int dot = std::max(1, std::min(cw, ch) / 2);
    for (size_t j = 0; j < acceptance.size() && int(j) < steps; ++j) {
        const int row = int(acceptance[j]) - 1;
        if (row >= 0 && row < rounds)
            painter.fillRect(int(j) * cw + (cw - dot) / 2, row * ch + (ch - dot) / 2, dot, dot, QColor(230, 30, 30));
    }
    return image;
}

} // namespace ds
