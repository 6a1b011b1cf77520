#include "examples_menu.h"

#include "core/io/resource_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace ds {

ExamplesMenu::ExamplesMenu(QWidget* parent) : QMenu(tr("&Examples"), parent)
{
    addSection(tr("Exact denoisers (no training)"));
    addExample(tr("Fashion-MNIST, exact denoiser over 2000 images (linear T=1000)"), "oracle:fashion-mnist?n=2000");
    addExample(tr("Fashion-MNIST, exact denoiser, cosine schedule"), "oracle:fashion-mnist?n=2000&schedule=cosine");
    addExample(tr("Fashion-MNIST, exact denoiser over 200 images (memorises)"), "oracle:fashion-mnist?n=200");
    addExample(tr("Gaussian data N(0, 0.5²), 1×28×28"), "oracle:gaussian?mean=0&std=0.5&shape=1x28x28");
    addSection(tr("Demo checkpoints"));
    addDemoCheckpoints();
}

void ExamplesMenu::addExample(const QString& text, const QString& spec)
{
    auto* action = addAction(text);
    action->setToolTip(spec);
    connect(action, &QAction::triggered, this, [this, spec] { Q_EMIT openRequested(spec); });
}

QStringList ExamplesMenu::demoFolders()
{
    // core's resource folder ($DIFFSCOPE_RESOURCES, else the source tree's resources/).
    return {QString::fromStdString(resourcePath("demo"))};
}

void ExamplesMenu::addDemoCheckpoints()
{
    QStringList seen;
    for (const auto& folder : demoFolders()) {
        for (const auto& file : QDir(folder).entryInfoList({"*.pt", "*.dsckpt"}, QDir::Files, QDir::Name)) {
            const auto path = file.canonicalFilePath();
            if (seen.contains(path))
                continue;
            seen << path;
            addExample(file.completeBaseName(), path);
        }
    }
    if (seen.isEmpty())
        addAction(tr("(none yet: the trainer's demo checkpoints go into resources/demo/)"))->setEnabled(false);
}

} // namespace ds
