#pragma once
// The value range a model's data lives in, e.g. [-1, 1] for images in DDPM practice.
#include <string>

namespace ds {

struct DataRange {
    double lo = -1.0;
    double hi = 1.0;

    double width() const { return hi - lo; }
    bool valid() const { return hi > lo; }
    std::string toString() const { return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]"; }
};

} // namespace ds
