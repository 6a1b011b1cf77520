#pragma once
// The base of the CLI suites: one temporary folder for the suite's files, and the check that a
// run of diffscope-cli succeeded (its command line and stderr in the failure message).
#include "cli_runner.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

namespace ds::test {

class CliTestCase : public QObject {
protected:
    QTemporaryDir dir_;
    QString p(const QString& name) const { return dir_.filePath(name); }

    // Records a failure unless the run exited 0 without a crash; the result is returned either way.
    CliResult expectSuccess(const QStringList& args)
    {
        auto r = runCli(args);
        [&] { QVERIFY2(!r.crashed && r.exitCode == 0, qPrintable(args.join(' ') + "\n" + r.err)); }();
        return r;
    }
};

} // namespace ds::test
