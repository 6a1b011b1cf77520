#pragma once
// Runs diffscope-cli (path from $DIFFSCOPE_CLI) in a child process and collects what it did.
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace ds::test {

struct CliResult {
    bool crashed = false; // killed by a signal (segfault, abort)
    int exitCode = -1;
    QString out;
    QString err;
};

CliResult runCli(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                 int timeoutMs = 120000);

// A TorchScript module ε̂(x, t) = 0.5·x saved to `path` with the given diffscope.json text
// (none when empty); `body` replaces the forward body.
void saveTorchScriptModel(const QString& path, const QString& header,
                          const QString& body = "return x * self.w");

QString headerFor(const QString& shape, const QString& prediction = "epsilon");

// The LD_PRELOAD shim that makes a folder run out of space, and the animation exporter run under it.
QString enospcShimPath();
QString exportHelperPath();

} // namespace ds::test
