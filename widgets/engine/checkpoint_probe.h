#pragma once
// Tries a model file in a helper process before this process loads it. LibTorch can crash on a
// damaged TorchScript archive (docs: STYLE.md, "Treat a foreign .pt as code"); the core loader
// checks what it can, and `diffscope-cli info` in a child process catches the rest: if the
// child crashes or hangs, the GUI reports it instead of crashing with it.
#include <QString>

#include <optional>

namespace ds {

// The diffscope-cli next to this executable, or $DIFFSCOPE_CLI; empty if there is none.
QString findCliProgram();

// Runs `cli info <path>` (blocking; fine off the UI thread). Returns a message for the user if
// the child crashed, hung past `timeoutMs` or rejected the file; nullopt if it loaded cleanly
// or there is no CLI to ask (then the in-process checks alone decide).
std::optional<QString> probeCheckpoint(const QString& path, const QString& cli, int timeoutMs = 60000);

} // namespace ds
