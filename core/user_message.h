#pragma once
// One user-facing line for any exception: what the CLI prints and the GUI shows. LibTorch's
// messages carry a C++ backtrace and TorchScript adds multi-line source excerpts; a user needs
// the first meaningful line (for interpreter failures: the error line that ends the traceback).
#include "models/error.h"

#include <exception>
#include <string>

namespace ds {

// c10::Error → what_without_backtrace(), std::bad_alloc → "out of memory", others → what();
// then reduced to one line.
std::string userMessage(const std::exception& e);

// The first non-blank line of `text`; for a TorchScript traceback, that line joined with the
// last non-blank line (the interpreter's error).
std::string firstMeaningfulLine(const std::string& text);

// Runs `work` and returns its result; any exception it throws is rethrown as
// ds::Error(context + userMessage(e)), so loaders name the file once instead of repeating a
// try/catch: withContext(path + ": ", [&] { return torch::jit::load(path); }).
template <class Work>
auto withContext(const std::string& context, Work&& work) -> decltype(work())
{
    try {
        return work();
    } catch (const std::exception& e) {
        throw Error(context + userMessage(e));
    }
}

} // namespace ds
