#pragma once
// The one tiling rule of a batch into a grid image: tiles of tileW × tileH, `columns` wide (0:
// ⌈√count⌉, about square), a 1-pixel gap around every tile. ds::tileImages draws with it; the
// app's views map grid pixels back to (sample, x, y) with it (widgets/comparison/grid_layout.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace ds {

struct TileGrid {
    int64_t count = 1;
    int64_t columns = 1;
    int64_t rows = 1;
    int64_t tileW = 0;
    int64_t tileH = 0;

    static TileGrid forBatch(int64_t count, int64_t tileH, int64_t tileW, int64_t columns = 0)
    {
        TileGrid g;
        g.count = std::max<int64_t>(1, count);
        g.columns = columns > 0 ? std::min(columns, g.count) : int64_t(std::ceil(std::sqrt(double(g.count))));
        g.rows = (g.count + g.columns - 1) / g.columns;
        g.tileW = tileW;
        g.tileH = tileH;
        return g;
    }
    int64_t width() const { return columns * (tileW + 1) + 1; }
    int64_t height() const { return rows * (tileH + 1) + 1; }
    int64_t originX(int64_t sample) const { return 1 + (sample % columns) * (tileW + 1); }
    int64_t originY(int64_t sample) const { return 1 + (sample / columns) * (tileH + 1); }

    struct Pixel {
        int64_t sample, x, y;
    };
    // The sample and pixel under grid position (x, y), if it is inside a tile.
    std::optional<Pixel> locate(int64_t x, int64_t y) const
    {
        if (tileW <= 0 || tileH <= 0 || x < 1 || y < 1)
            return std::nullopt;
        const int64_t col = (x - 1) / (tileW + 1), row = (y - 1) / (tileH + 1);
        const int64_t px = (x - 1) % (tileW + 1), py = (y - 1) % (tileH + 1);
        const int64_t sample = row * columns + col;
        if (col >= columns || px >= tileW || py >= tileH || sample >= count)
            return std::nullopt;
        return Pixel{sample, px, py};
    }
};

} // namespace ds
