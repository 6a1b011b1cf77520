#pragma once
// One spelling per enum value, shared by the CLI, the GUI and JSON files.
// Each enum provides a table `kNames` of {value, "spelling"} and gets name()/parse from here.
#include "models/error.h"

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace ds {

template <typename Enum, std::size_t N>
using EnumTable = std::array<std::pair<Enum, std::string_view>, N>;

template <typename Enum, std::size_t N>
std::string_view enumName(const EnumTable<Enum, N>& table, Enum value)
{
    for (const auto& [v, name] : table)
        if (v == value)
            return name;
    return "?";
}

// Lists the valid spellings as "a|b|c" for messages and --help.
template <typename Enum, std::size_t N>
std::string enumChoices(const EnumTable<Enum, N>& table)
{
    std::string out;
    for (const auto& [v, name] : table) {
        if (!out.empty())
            out += '|';
        out += name;
    }
    return out;
}

// Parses a spelling; an unknown one throws ds::Error naming `what` and the valid choices.
template <typename Enum, std::size_t N>
Enum enumFromString(const EnumTable<Enum, N>& table, std::string_view text, std::string_view what)
{
    for (const auto& [v, name] : table)
        if (name == text)
            return v;
    throw Error("unknown " + std::string(what) + " '" + std::string(text) + "' (expected "
                + enumChoices(table) + ")");
}

} // namespace ds
