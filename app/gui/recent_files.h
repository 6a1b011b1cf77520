#pragma once
// The most recently opened models (files and oracle specs), kept in QSettings, newest first.
// The menu names each by its file name, with as many parent folders as it takes to tell apart
// entries that share a name ("runs/a/model.dsckpt", "runs/b/model.dsckpt"); its tooltip and
// status tip give the full path.
#include <QObject>
#include <QStringList>

class QMenu;

namespace ds {

// Menu texts for `specs`: oracle specs as they are; files by name, folders by name + "/",
// each extended by parent folders until no two texts are equal.
QStringList recentLabels(const QStringList& specs);

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMax = 10;

    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

    void add(const QString& spec); // moves it to the top; saves
    QStringList items() const { return items_; }
    void clear();

Q_SIGNALS:
    void openRequested(const QString& spec);

private:
    void load();
    void save() const;
    void rebuild();

    QMenu* menu_;
    QStringList items_;
};

} // namespace ds
