#pragma once
// The tiling of a batch into one grid image, the rule ds::tileImages uses: tiles of
// tileW × tileH with 1-pixel gaps around them, `columns` wide (0: about square). Maps grid
// pixels back to (sample, x, y) for the inspector.
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
    QSize imageSize() const { return {columns * (tileW + 1) + 1, rows * (tileH + 1) + 1}; }
    QPoint tileOrigin(int sample) const;

    struct Pixel {
        int sample;
        int x;
        int y;
    };
    // The sample and pixel under grid position p, if p is inside a tile.
    std::optional<Pixel> locate(QPoint p) const;
};

} // namespace ds
