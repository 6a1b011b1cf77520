#include "spec_string.h"

#include "models/error.h"

#include <algorithm>
#include <sstream>

namespace ds {

SpecString::SpecString(const std::string& text) : text_(text)
{
    const auto q = text.find('?');
    head_ = text.substr(0, q);
    if (q == std::string::npos)
        return;
    std::istringstream in(text.substr(q + 1));
    std::string pair;
    while (std::getline(in, pair, '&')) {
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        require(eq != std::string::npos && eq > 0, "'" + text + "': expected key=value, got '" + pair + "'");
        params_[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
}

std::string SpecString::get(const std::string& key, const std::string& fallback) const
{
    auto it = params_.find(key);
    return it == params_.end() ? fallback : it->second;
}

double SpecString::getDouble(const std::string& key, double fallback) const
{
    auto it = params_.find(key);
    if (it == params_.end())
        return fallback;
    try {
        size_t used = 0;
        const double v = std::stod(it->second, &used);
        require(used == it->second.size(), "");
        return v;
    } catch (const std::exception&) {
        throw Error("'" + text_ + "': " + key + " must be a number, got '" + it->second + "'");
    }
}

int64_t SpecString::getInt(const std::string& key, int64_t fallback) const
{
    auto it = params_.find(key);
    if (it == params_.end())
        return fallback;
    try {
        size_t used = 0;
        const long long v = std::stoll(it->second, &used);
        require(used == it->second.size(), "");
        return v;
    } catch (const std::exception&) {
        throw Error("'" + text_ + "': " + key + " must be an integer, got '" + it->second + "'");
    }
}

void SpecString::requireKnownKeys(const std::vector<std::string>& known) const
{
    for (const auto& [key, value] : params_) {
        if (std::find(known.begin(), known.end(), key) != known.end())
            continue;
        std::string list;
        for (const auto& k : known)
            list += (list.empty() ? "" : ", ") + k;
        throw Error("'" + text_ + "': unknown key '" + key + "' (known: " + list + ")");
    }
}

} // namespace ds
