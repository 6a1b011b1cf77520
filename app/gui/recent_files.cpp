#include "recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace ds {
namespace {
const QString kKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), menu_(menu)
{
    load();
    rebuild();
}

void RecentFiles::add(const QString& spec)
{
    items_.removeAll(spec);
    items_.prepend(spec);
    while (items_.size() > kMax)
        items_.removeLast();
    save();
    rebuild();
}

void RecentFiles::clear()
{
    items_.clear();
    save();
    rebuild();
}

void RecentFiles::load() { items_ = QSettings().value(kKey).toStringList().mid(0, kMax); }

void RecentFiles::save() const { QSettings().setValue(kKey, items_); }

void RecentFiles::rebuild()
{
    menu_->clear();
    for (int i = 0; i < items_.size(); ++i) {
        const auto spec = items_[i];
        const QFileInfo file(spec);
        const auto text = spec.startsWith(QStringLiteral("oracle:")) ? spec
            : file.isDir()                                        ? QDir(spec).dirName() + "/" // a diffusers folder
                                                                  : file.fileName();
        auto* action = menu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(text));
        action->setToolTip(spec);
        connect(action, &QAction::triggered, this, [this, spec] { Q_EMIT openRequested(spec); });
    }
    if (items_.isEmpty())
        menu_->addAction(tr("(none)"))->setEnabled(false);
    menu_->addSeparator();
    menu_->addAction(tr("Clear"), this, &RecentFiles::clear);
}

} // namespace ds
