#pragma once
// Networks sit below the engine and do not know ds::Error: a bad config throws
// std::invalid_argument, which the checkpoint loader rewraps with the file's name.
#include <stdexcept>
#include <string>

namespace ds {

inline void requireConfig(bool condition, const std::string& message)
{
    if (!condition)
        throw std::invalid_argument(message);
}

} // namespace ds
