#pragma once
// What the trajectory view draws for a frame.
#include <QString>
#include <QStringList>

namespace ds {

enum class FrameKind {
    State,          // x_t
    PredictedX0,    // the model's x̂0 at t
    PredictedNoise, // ε̂ = (x_t − √ᾱ x̂0)/√(1 − ᾱ), from x̂0 (ds::epsilonFrom)
    Difference      // x_t − x_{previous frame}
};

QString frameKindLabel(FrameKind kind);
QStringList frameKindLabels(); // in enum order, for combo boxes

} // namespace ds
