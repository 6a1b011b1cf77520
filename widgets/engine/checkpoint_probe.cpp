#include "checkpoint_probe.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>

namespace ds {

QString findCliProgram()
{
    const auto fromEnv = qEnvironmentVariable("DIFFSCOPE_CLI");
    if (!fromEnv.isEmpty() && QFileInfo(fromEnv).isExecutable())
        return fromEnv;
    const auto nextToUs = QDir(QCoreApplication::applicationDirPath()).filePath("diffscope-cli");
    return QFileInfo(nextToUs).isExecutable() ? nextToUs : QString();
}

std::optional<QString> probeCheckpoint(const QString& path, const QString& cli, int timeoutMs)
{
    if (cli.isEmpty())
        return std::nullopt;
    QProcess child;
    child.start(cli, {"info", path});
    if (!child.waitForStarted(10000))
        return std::nullopt; // no helper available: rely on the loader's own checks
    if (!child.waitForFinished(timeoutMs)) {
        child.kill();
        child.waitForFinished(2000);
        return QStringLiteral("%1: loading this model took longer than %2 s in a test process; not loaded")
            .arg(path)
            .arg(timeoutMs / 1000);
    }
    if (child.exitStatus() == QProcess::CrashExit)
        return QStringLiteral("%1: this model crashed a test process while loading (damaged or hostile file); "
                              "not loaded")
            .arg(path);
    if (child.exitCode() != 0) {
        // The CLI prints "diffscope-cli: error: <message>"; keep the message.
        auto text = QString::fromUtf8(child.readAllStandardError()).trimmed();
        text.remove(QStringLiteral("diffscope-cli: error: "));
        return text.isEmpty() ? QStringLiteral("%1: the model failed to load").arg(path) : text;
    }
    return std::nullopt;
}

} // namespace ds
