#include "grid_layout.h"

#include <algorithm>
#include <cmath>

namespace ds {

GridLayout GridLayout::forBatch(int count, int tileH, int tileW, int columns)
{
    GridLayout g;
    g.count = std::max(1, count);
    // The same rule as ds::tileImages: `columns` wide, or about square.
    g.columns = columns > 0 ? std::min(columns, g.count) : int(std::ceil(std::sqrt(double(g.count))));
    g.rows = (g.count + g.columns - 1) / g.columns;
    g.tileW = tileW;
    g.tileH = tileH;
    return g;
}

QPoint GridLayout::tileOrigin(int sample) const
{
    return {1 + (sample % columns) * (tileW + 1), 1 + (sample / columns) * (tileH + 1)};
}

std::optional<GridLayout::Pixel> GridLayout::locate(QPoint p) const
{
    if (tileW <= 0 || tileH <= 0 || p.x() < 1 || p.y() < 1)
        return std::nullopt;
    const int col = (p.x() - 1) / (tileW + 1), row = (p.y() - 1) / (tileH + 1);
    const int x = (p.x() - 1) % (tileW + 1), y = (p.y() - 1) % (tileH + 1);
    const int sample = row * columns + col;
    if (col >= columns || x >= tileW || y >= tileH || sample >= count)
        return std::nullopt;
    return Pixel{sample, x, y};
}

} // namespace ds
