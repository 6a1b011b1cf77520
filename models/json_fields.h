#pragma once
// Checked reads of JSON that came from outside (files, headers, settings). nlohmann's own
// accessors throw type_error with no field name, j.value(key, fallback) throws for a key of
// another type, and get<int64_t>() casts a double such as 1e300 unchecked (UB). Here every
// failure is one line "<where>: <key> must be <what>, not <value>", thrown as `Exception`
// (ds::Error for files and settings; std::invalid_argument for network configs, which the
// checkpoint loader rewraps with the file's name). Header-only and Qt-free, in the lowest layer
// so that the networks and the engine share it.
#include "models/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace ds {

template <class Exception>
class BasicJsonFields {
public:
    // `where` starts every message: the file, and the object inside it ("x.json: schedule").
    BasicJsonFields(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where))
    {
        if (!j.is_object())
            throw Exception(where_ + " must be a JSON object, not " + shown(j));
    }

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const
    {
        throw Exception(where_ + ": " + key + " " + problem);
    }
    const nlohmann::json* find(const std::string& key) const
    {
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    bool has(const std::string& key) const { return find(key) != nullptr; }
    // The value under `key`, which must be present.
    const nlohmann::json& required(const std::string& key) const
    {
        if (const nlohmann::json* v = find(key))
            return *v;
        fail(key, "is missing");
    }
    // Refuses keys outside `known` (a misspelt key would otherwise be a silent default).
    void onlyKeys(std::initializer_list<const char*> known) const
    {
        for (const auto& item : j_.items()) {
            bool found = false;
            for (const char* k : known)
                found = found || item.key() == k;
            if (!found)
                fail(shown(item.key()), "is not a known field (value " + shown(item.value()) + ")");
        }
    }

    // Absent: the fallback. Present: must be an integer in [min, max].
    int64_t integer(const std::string& key, int64_t fallback, int64_t min = std::numeric_limits<int64_t>::min(),
                    int64_t max = std::numeric_limits<int64_t>::max()) const
    {
        const nlohmann::json* v = find(key);
        return v ? integerValue(key, *v, min, max) : fallback;
    }
    int64_t requiredInteger(const std::string& key, int64_t min = std::numeric_limits<int64_t>::min(),
                            int64_t max = std::numeric_limits<int64_t>::max()) const
    {
        return integerValue(key, required(key), min, max);
    }
    // Absent: the fallback. Present: a finite number in [min, max].
    double number(const std::string& key, double fallback, double min = -std::numeric_limits<double>::max(),
                  double max = std::numeric_limits<double>::max()) const
    {
        const nlohmann::json* v = find(key);
        return v ? numberValue(key, *v, min, max) : fallback;
    }
    double requiredNumber(const std::string& key, double min = -std::numeric_limits<double>::max(),
                          double max = std::numeric_limits<double>::max()) const
    {
        return numberValue(key, required(key), min, max);
    }
    bool boolean(const std::string& key, bool fallback) const
    {
        const nlohmann::json* v = find(key);
        if (v && !v->is_boolean())
            fail(key, "must be true or false, not " + shown(*v));
        return v ? v->get<bool>() : fallback;
    }
    std::string string(const std::string& key, const std::string& fallback) const
    {
        const nlohmann::json* v = find(key);
        return v ? stringValue(key, *v) : fallback;
    }
    std::string requiredString(const std::string& key) const { return stringValue(key, required(key)); }
    // A list of strings (absent: the fallback).
    std::vector<std::string> strings(const std::string& key, std::vector<std::string> fallback) const
    {
        const nlohmann::json* v = find(key);
        if (!v)
            return fallback;
        bool ok = v->is_array();
        for (size_t i = 0; ok && i < v->size(); ++i)
            ok = (*v)[i].is_string();
        if (!ok)
            fail(key, "must be a list of strings, not " + shown(*v));
        return v->get<std::vector<std::string>>();
    }
    // A list of minCount..maxCount integers in [min, max] (absent: the fallback).
    std::vector<int64_t> integers(const std::string& key, std::vector<int64_t> fallback, size_t minCount, size_t maxCount,
                                  int64_t min, int64_t max) const
    {
        const nlohmann::json* v = find(key);
        if (!v)
            return fallback;
        bool ok = v->is_array() && v->size() >= minCount && v->size() <= maxCount;
        for (size_t i = 0; ok && i < v->size(); ++i)
            ok = isIntegerIn((*v)[i], min, max);
        if (!ok)
            fail(key, "must be a list of " + std::to_string(minCount) + ".." + std::to_string(maxCount) + " integers in "
                          + std::to_string(min) + ".." + std::to_string(max) + ", not " + shown(*v));
        return v->get<std::vector<int64_t>>();
    }
    // A list of finite numbers (absent: the fallback).
    std::vector<double> numbers(const std::string& key, std::vector<double> fallback) const
    {
        const nlohmann::json* v = find(key);
        if (!v)
            return fallback;
        if (!v->is_array())
            fail(key, "must be a list of numbers, not " + shown(*v));
        for (size_t i = 0; i < v->size(); ++i)
            if (!(*v)[i].is_number() || !std::isfinite((*v)[i].template get<double>()))
                fail(key, "holds a non-number at [" + std::to_string(i) + "]: " + shown((*v)[i]));
        return v->get<std::vector<double>>();
    }

    const std::string& where() const { return where_; }

    // A value as the messages quote it: compact JSON, ASCII, at most 60 characters, one line.
    static std::string shown(const nlohmann::json& v)
    {
        const auto s = v.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
        return s.size() > 60 ? s.substr(0, 57) + "..." : s;
    }
    // Integers only: 3.0 and 1e300 are refused (nlohmann casts a double to int64 unchecked).
    static bool isIntegerIn(const nlohmann::json& v, int64_t min, int64_t max)
    {
        if (v.is_number_unsigned())
            return max >= 0 && v.get<uint64_t>() <= uint64_t(max) && (min <= 0 || v.get<uint64_t>() >= uint64_t(min));
        return v.is_number_integer() && v.get<int64_t>() >= min && v.get<int64_t>() <= max;
    }

private:
    int64_t integerValue(const std::string& key, const nlohmann::json& v, int64_t min, int64_t max) const
    {
        if (!isIntegerIn(v, min, max))
            fail(key, "must be an integer" + range(double(min), double(max), static_cast<double>(std::numeric_limits<int64_t>::max())) + ", not "
                          + shown(v));
        return v.get<int64_t>();
    }
    double numberValue(const std::string& key, const nlohmann::json& v, double min, double max) const
    {
        if (!v.is_number() || !std::isfinite(v.get<double>()) || !(v.get<double>() >= min && v.get<double>() <= max))
            fail(key, "must be a number" + range(min, max, std::numeric_limits<double>::max()) + ", not " + shown(v));
        return v.get<double>();
    }
    std::string stringValue(const std::string& key, const nlohmann::json& v) const
    {
        if (!v.is_string())
            fail(key, "must be a string, not " + shown(v));
        return v.get<std::string>();
    }
    // " in lo..hi", " ≥ lo", " ≤ hi" or nothing, for the bounds that were set.
    static std::string range(double min, double max, double unbounded)
    {
        auto text = [](double x) {
            std::ostringstream s;
            s << x;
            return s.str();
        };
        const bool low = min > -unbounded, high = max < unbounded;
        if (low && high)
            return " in " + text(min) + ".." + text(max);
        if (low)
            return " >= " + text(min);
        return high ? " <= " + text(max) : std::string();
    }

    const nlohmann::json& j_;
    std::string where_;
};

// The engine's reader: ds::Error.
using JsonFields = BasicJsonFields<Error>;

// Parses `text`: a syntax error becomes ds::Error("<where>: not valid JSON: <what and where>").
inline nlohmann::json parseJson(const std::string& text, const std::string& where)
{
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded())
        return j;
    try { // parse again, for the message (the position and what was expected)
        const auto again = nlohmann::json::parse(text);
        (void)again;
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        if (const auto close = what.find("] "); what.rfind("[json.exception.", 0) == 0 && close != std::string::npos)
            what = what.substr(close + 2); // nlohmann's "[json.exception.parse_error.101] " prefix
        throw Error(where + ": not valid JSON: " + what);
    }
    throw Error(where + ": not valid JSON");
}

// Reads and parses a JSON file; names `path` when it cannot be read or parsed.
inline nlohmann::json readJsonFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    require(bool(in), path, ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    require(!in.bad(), path, ": read error");
    return parseJson(text.str(), path);
}

} // namespace ds
