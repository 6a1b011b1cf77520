#pragma once
// A bad network config throws std::invalid_argument (the registry's contract, ds::Error is for
// the user's input at large): the checkpoint loader catches it and rewraps it with the file's name.
#include "models/json_fields.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ds {

// The most parameters a network config may ask for, checked on the config before anything is
// allocated. 1e9 float32 weights are 4 GB; a checkpoint load builds two networks (the expected
// shapes and the loaded ones) and training four (live, EMA and AdamW's two moments), so a config
// over the limit is damage or a hostile file, not a model: the largest published UNet2DModel
// (ddpm-ema-church-256) has 1.1e8 and diffscope's own demos under 3e6.
constexpr double kMaxNetworkParameters = 1e9;

inline void requireConfig(bool condition, const std::string& message)
{
    if (!condition)
        throw std::invalid_argument(message);
}

// Parameters of the layers the networks are made of (weights + biases; GroupNorm: γ and β).
inline double convParameters(double in, double out, double kernel) { return in * out * kernel * kernel + out; }
inline double linearParameters(double in, double out) { return in * out + out; }
inline double groupNormParameters(double channels) { return 2 * channels; }

// Refuses a config whose parameter count (computed from the config) exceeds kMaxNetworkParameters.
inline void requireParameterBudget(double parameters, const std::string& where, const std::string& fields)
{
    if (!(parameters <= kMaxNetworkParameters))
        throw std::invalid_argument(where + ": " + fields + " ask for " + std::to_string(int64_t(std::min(parameters, 9.2e18)))
                                    + " parameters, over the limit of " + std::to_string(int64_t(kMaxNetworkParameters)));
}

// Reads the fields of one network config object: an absent key gives the default; a key that is
// present but of another type or out of range throws "<where>: <key> must be …, not <value>".
using ConfigFields = BasicJsonFields<std::invalid_argument>;

} // namespace ds
