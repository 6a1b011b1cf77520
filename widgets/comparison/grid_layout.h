#pragma once
// ds::TileGrid (core/io/tile_grid.h, the rule ds::tileImages draws with) in Qt's units, so the
// views map grid pixels back to (sample, x, y) for the inspector.
#include "core/io/tile_grid.h"

#include <QPoint>
#include <QSize>

#include <optional>

namespace ds {

struct GridLayout {
    int count = 0;
    int columns = 1;
    int rows = 1;
    int tileW = 0;
    int tileH = 0;

    static GridLayout forBatch(int count, int tileH, int tileW, int columns = 0);
    QSize imageSize() const { return {int(grid().width()), int(grid().height())}; }
    QPoint tileOrigin(int sample) const;

    struct Pixel {
        int sample;
        int x;
        int y;
    };
    // The sample and pixel under grid position p, if p is inside a tile.
    std::optional<Pixel> locate(QPoint p) const;

private:
    TileGrid grid() const { return {count, columns, rows, tileW, tileH}; }
};

} // namespace ds
