#include "dialog_folder.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace ds {
namespace {
const QString kKey = QStringLiteral("dialogs/lastFolder");
}

QString dialogFolder()
{
    const auto folder = QSettings().value(kKey).toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::homePath();
}

QString dialogPath(const QString& name) { return QDir(dialogFolder()).filePath(name); }

void rememberDialogChoice(const QString& chosen)
{
    if (chosen.isEmpty())
        return;
    const QFileInfo info(chosen);
    QSettings().setValue(kKey, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

} // namespace ds
