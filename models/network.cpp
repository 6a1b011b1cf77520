#include "network.h"

namespace ds {

int64_t NetworkImpl::parameterCount() const
{
    int64_t n = 0;
    for (const auto& p : parameters())
        n += p.numel();
    return n;
}

} // namespace ds
