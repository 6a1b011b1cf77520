#pragma once
// Where an axis puts its labelled ticks, as a pure function of the data's extent: "nice"
// numbers for linear axes (a step of 1, 2 or 5 × 10^k, the range widened to whole steps, whole
// numbers only for integer quantities such as training steps) and whole decades for log axes
// (one label per decade, 1e-3, 1e-2, …, thinned to every 2nd/3rd/… decade when there are
// many). Charts (chart_adapter) and colour bars (colour_legend) both use it.
#include <QString>
#include <QVector>

namespace ds {

struct LinearTicks {
    double lo = 0, hi = 1;  // the axis range: whole multiples of `step` enclosing the data
    double step = 0.2;      // distance between ticks
    int decimals = 1;       // digits after the point that print every tick exactly
    QVector<double> values; // lo, lo + step, …, hi
    int count() const { return int(values.size()); }
};

// Ticks for data in [lo, hi] with at most `maxTicks` ticks (≥ 2). `integer`: steps are whole
// numbers ≥ 1 (counts, steps). Non-finite input or lo > hi gives the ticks of [0, 1]; lo == hi
// is widened around the value.
LinearTicks niceLinearTicks(double lo, double hi, int maxTicks = 6, bool integer = false);

struct DecadeTicks {
    int lo = -1, hi = 0;     // the axis spans 10^lo .. 10^hi (hi > lo)
    int stride = 1;          // labelled decades are lo, lo + stride, … (hi included)
    QVector<int> exponents;  // the labelled decades
};

// Whole decades enclosing positive data in [lo, hi]; at most `maxLabels` labels (≥ 2).
// Non-positive or non-finite input gives 10^-1 .. 10^0.
DecadeTicks decadeTicks(double lo, double hi, int maxLabels = 10);

// The label of 10^e: "0.01", "0.1", "1", "10", "100", "1000" for −2 ≤ e ≤ 3, else "1e-5", "1e4".
QString decadeLabel(int exponent);

// A tick value printed with `decimals` digits after the point (no "-0").
QString tickLabel(double value, int decimals);

} // namespace ds
