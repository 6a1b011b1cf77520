#include "grid_layout.h"

namespace ds {

GridLayout GridLayout::forBatch(int count, int tileH, int tileW, int columns)
{
    const auto g = TileGrid::forBatch(count, tileH, tileW, columns);
    return {int(g.count), int(g.columns), int(g.rows), int(g.tileW), int(g.tileH)};
}

QPoint GridLayout::tileOrigin(int sample) const
{
    const auto g = grid();
    return {int(g.originX(sample)), int(g.originY(sample))};
}

std::optional<GridLayout::Pixel> GridLayout::locate(QPoint p) const
{
    const auto hit = grid().locate(p.x(), p.y());
    if (!hit)
        return std::nullopt;
    return Pixel{int(hit->sample), int(hit->x), int(hit->y)};
}

} // namespace ds
