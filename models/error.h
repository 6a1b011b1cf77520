#pragma once
// The exception type every layer throws for bad input: its message is written for the user (it
// names the file or option and the problem) and is printed as-is by the CLI and GUI. It lives in
// models/, the lowest layer, so that the networks can throw it as well as the engine.
#include <sstream>
#include <stdexcept>
#include <string>

namespace ds {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
template <class... Parts>
[[noreturn]] void throwJoined(const Parts&... parts)
{
    std::ostringstream message;
    (message << ... << parts);
    throw Error(message.str());
}
} // namespace detail

// Throws ds::Error(parts joined) unless `condition` holds. The message is built only on failure
// (as TORCH_CHECK does), so checks on hot paths cost a branch: pass its pieces, not a sum,
// e.g. require(x.dim() == 4, source, ": expected [N, C, H, W], got ", x.dim(), " dims").
template <class... Parts>
inline void require(bool condition, const Parts&... parts)
{
    if (!condition) [[unlikely]]
        detail::throwJoined(parts...);
}

} // namespace ds
