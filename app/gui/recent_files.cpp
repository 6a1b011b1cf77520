#include "recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

#include <algorithm>

namespace ds {
namespace {

const QString kKey = QStringLiteral("recentFiles");

bool isOracle(const QString& spec) { return spec.startsWith(QStringLiteral("oracle:")); }

// The last `depth` components of a path (a folder keeps a trailing "/").
QString tail(const QString& spec, int depth)
{
    const auto clean = QDir::cleanPath(QDir::fromNativeSeparators(spec));
    const auto parts = clean.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    auto text = parts.mid(std::max(0, int(parts.size()) - depth)).join(QLatin1Char('/'));
    if (depth > parts.size() && clean.startsWith(QLatin1Char('/'))) // past the root: the absolute path
        text.prepend(QLatin1Char('/'));
    return QFileInfo(spec).isDir() ? text + QLatin1Char('/') : text;
}

} // namespace

QStringList recentLabels(const QStringList& specs)
{
    QVector<int> depth(specs.size(), 1);
    QStringList labels;
    for (int round = 0; round < 64; ++round) { // paths are not that deep; the bound only guards a loop
        labels.clear();
        for (int i = 0; i < specs.size(); ++i)
            labels << (isOracle(specs[i]) ? specs[i] : tail(specs[i], depth[i]));
        bool clash = false;
        for (int i = 0; i < specs.size(); ++i)
            if (!isOracle(specs[i]) && labels.count(labels[i]) > 1 && tail(specs[i], depth[i] + 1) != labels[i])
                ++depth[i], clash = true;
        if (!clash)
            break;
    }
    return labels;
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
    menu_->setToolTipsVisible(true); // menus hide action tooltips unless told
    const auto labels = recentLabels(items_);
    for (int i = 0; i < items_.size(); ++i) {
        const auto spec = items_[i];
        auto text = labels[i];
        auto* action = menu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(text.replace('&', "&&")));
        const auto full = isOracle(spec) ? spec : QDir::toNativeSeparators(QFileInfo(spec).absoluteFilePath());
        action->setToolTip(full);
        action->setStatusTip(full);
        action->setData(spec);
        connect(action, &QAction::triggered, this, [this, spec] { Q_EMIT openRequested(spec); });
    }
    if (items_.isEmpty())
        menu_->addAction(tr("(none)"))->setEnabled(false);
    menu_->addSeparator();
    menu_->addAction(tr("Clear"), this, &RecentFiles::clear);
}

} // namespace ds
