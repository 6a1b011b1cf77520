#include "user_message.h"

#include <c10/util/Exception.h>

#include <new>
#include <sstream>
#include <vector>

namespace ds {
namespace {

std::string trimmed(const std::string& line)
{
    const auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos)
        return {};
    return line.substr(begin, line.find_last_not_of(" \t\r") - begin + 1);
}

// Lines that carry no words: blank lines and parser caret markers ("~~~~ <--- HERE").
bool meaningful(const std::string& line)
{
    return !line.empty() && line.find_first_not_of("^~ ") != std::string::npos && line.rfind("~", 0) != 0;
}

} // namespace

std::string firstMeaningfulLine(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (auto t = trimmed(line); meaningful(t))
            lines.push_back(t);
    if (lines.empty())
        return "unknown error";
    // "The following operation failed in the TorchScript interpreter. Traceback … RuntimeError: …"
    if (text.find("Traceback of TorchScript") != std::string::npos && lines.size() > 1)
        return lines.front() + " " + lines.back();
    return lines.front();
}

std::string userMessage(const std::exception& e)
{
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
        return firstMeaningfulLine(c10->what_without_backtrace());
    if (dynamic_cast<const std::bad_alloc*>(&e))
        return "out of memory";
    return firstMeaningfulLine(e.what());
}

} // namespace ds
