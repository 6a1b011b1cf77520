#include "cli_runner.h"

#include <QProcess>
#include <torch/script.h>

namespace ds::test {

CliResult runCli(const QStringList& args, const QProcessEnvironment& env, int timeoutMs)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("DIFFSCOPE_CLI", "diffscope-cli"), args);
    CliResult r;
    if (!process.waitForStarted() || !process.waitForFinished(timeoutMs)) {
        process.kill();
        r.crashed = true;
        r.err = "did not start or finish: " + process.errorString();
        return r;
    }
    r.crashed = process.exitStatus() != QProcess::NormalExit;
    r.exitCode = process.exitCode();
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

void saveTorchScriptModel(const QString& path, const QString& header, const QString& body)
{
    torch::jit::Module m("Dummy");
    m.register_parameter("w", torch::full({1}, 0.5), false);
    m.define("def forward(self, x, t):\n    " + body.toStdString() + "\n");
    torch::jit::ExtraFilesMap extra;
    if (!header.isEmpty())
        extra["diffscope.json"] = header.toStdString();
    m.save(path.toStdString(), extra);
}

QString headerFor(const QString& shape, const QString& prediction)
{
    return QString(R"({"format": 1, "prediction": "%1", "schedule": {"kind": "linear", "T": 1000},
                       "shape": %2, "data_range": [-1, 1]})")
        .arg(prediction, shape);
}

} // namespace ds::test
