#pragma once
// The Examples menu: exact denoisers that need no training (seed 003's optimal reverse process
// over Fashion-MNIST; a Gaussian oracle), and the demo checkpoints shipped in resources/.
#include <QMenu>
#include <QStringList>

namespace ds {

class ExamplesMenu : public QMenu {
    Q_OBJECT
public:
    explicit ExamplesMenu(QWidget* parent = nullptr);
    // Folders searched for demo checkpoints (*.pt, *.dsckpt).
    static QStringList demoFolders();

Q_SIGNALS:
    void openRequested(const QString& spec);

private:
    void addExample(const QString& text, const QString& spec);
    void addDemoCheckpoints();
};

} // namespace ds
