#pragma once
// The one exception type the engine throws for bad input: its message is written for the
// user (it names the file or option and the problem) and is printed as-is by the CLI and GUI.
#include <stdexcept>
#include <string>

namespace ds {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws ds::Error(message) unless `condition` holds.
inline void require(bool condition, const std::string& message)
{
    if (!condition)
        throw Error(message);
}

} // namespace ds
