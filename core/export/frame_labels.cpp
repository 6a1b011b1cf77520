#include "frame_labels.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>

namespace ds {
namespace {

constexpr int kGlyphW = 5, kGlyphH = 7;

// Rows of each glyph, top to bottom, bit 4 = leftmost column.
struct Glyph {
    char c;
    std::array<uint8_t, kGlyphH> rows;
};

constexpr Glyph kGlyphs[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'t', {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}}, {'/', {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}}, {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
};

const Glyph* glyphFor(char c)
{
    for (const auto& g : kGlyphs)
        if (g.c == c)
            return &g;
    return nullptr;
}

} // namespace

int64_t labelWidth(const std::string& text, int64_t scale)
{
    return text.empty() ? 0 : (int64_t(text.size()) * (kGlyphW + 1) - 1) * scale;
}

int64_t labelHeight(int64_t scale) { return kGlyphH * scale; }

int64_t labelScaleFor(const std::string& text, int64_t width, int64_t maxScale)
{
    for (int64_t s = maxScale; s > 1; --s)
        if (labelWidth(text, s) <= width)
            return s;
    return 1;
}

void drawLabel(at::Tensor& image, int64_t x, int64_t y, const std::string& text, int64_t scale, uint8_t ink)
{
    const int64_t H = image.size(0), W = image.size(1), C = image.size(2);
    auto* px = image.data_ptr<uint8_t>(); // contiguous uint8 [H, W, C]
    for (size_t i = 0; i < text.size(); ++i) {
        const auto* g = glyphFor(text[i]);
        if (!g)
            continue;
        const int64_t left = x + int64_t(i) * (kGlyphW + 1) * scale;
        for (int r = 0; r < kGlyphH; ++r)
            for (int c = 0; c < kGlyphW; ++c) {
                if (!(g->rows[size_t(r)] >> (kGlyphW - 1 - c) & 1))
                    continue;
                for (int64_t dy = 0; dy < scale; ++dy)
                    for (int64_t dx = 0; dx < scale; ++dx) {
                        const int64_t py = y + r * scale + dy, pxX = left + c * scale + dx;
                        if (py >= 0 && py < H && pxX >= 0 && pxX < W)
                            std::fill_n(px + (py * W + pxX) * C, C, ink);
                    }
            }
    }
}

at::Tensor labelBand(int64_t height, int64_t width, int64_t channels)
{
    return at::full({height, width, channels}, int64_t(kLabelBackground), at::kByte);
}

std::string tLabel(int64_t t, int64_t width)
{
    const auto full = "t=" + std::to_string(t);
    return labelWidth(full, 1) <= width ? full : std::to_string(t);
}

} // namespace ds
