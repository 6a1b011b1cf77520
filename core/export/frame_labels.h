#pragma once
// Text on exported images without a font library: a 5×7 pixel font for the few characters a
// t label needs ("t=250", digits, '/', '-', '.', ' '), drawn into uint8 [H, W, C] images at
// whole-pixel scales, so labels stay crisp and exports stay byte-identical across machines.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace ds {

inline constexpr uint8_t kLabelBackground = 40; // the gap colour of ds::tileImages
inline constexpr uint8_t kLabelInk = 235;

// Pixel width and height of `text` at `scale` (each glyph 5×7, one column of spacing).
int64_t labelWidth(const std::string& text, int64_t scale);
int64_t labelHeight(int64_t scale);

// The largest scale in 1..maxScale at which `text` fits `width` pixels (1 if none does).
int64_t labelScaleFor(const std::string& text, int64_t width, int64_t maxScale = 3);

// Draws `text` with its top-left corner at (x, y) into uint8 [H, W, C]; clipped to the image.
// Characters without a glyph draw as blanks.
void drawLabel(at::Tensor& image, int64_t x, int64_t y, const std::string& text, int64_t scale, uint8_t ink = kLabelInk);

// A band [height, width, channels] of the background colour for labels under or beside tiles.
at::Tensor labelBand(int64_t height, int64_t width, int64_t channels);

// "t=250" where it fits `width` at scale 1, else "250".
std::string tLabel(int64_t t, int64_t width);

} // namespace ds
