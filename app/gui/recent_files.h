#pragma once
// The most recently opened models (files and oracle specs), kept in QSettings, newest first.
#include <QObject>
#include <QStringList>

class QMenu;

namespace ds {

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
