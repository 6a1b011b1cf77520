#include "main_menus.h"

#include "device_selector.h"
#include "examples_menu.h"

#include <QApplication>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>

namespace ds {

MainMenus::MainMenus(QMainWindow& window, QTabWidget& tabs) : QObject(&window)
{
    buildFileMenu(window);
    examples_ = new ExamplesMenu(&window);
    window.menuBar()->addMenu(examples_);
    connect(examples_, &ExamplesMenu::openRequested, this, &MainMenus::openRequested);
    buildViewMenu(window, tabs);
    buildInstrumentsMenu(window);
    buildHelpMenu(window);

    auto* bar = window.addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar")); // saveState() needs a name
    bar->addAction(window.style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open model…"), this,
                   &MainMenus::openFileRequested);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Device ")));
    device_ = new DeviceSelector;
    bar->addWidget(device_);
}

void MainMenus::buildFileMenu(QMainWindow& window)
{
    auto* file = window.menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open model…"), this, &MainMenus::openFileRequested);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open model &folder…"), this, &MainMenus::openFolderRequested)
        ->setObjectName(QStringLiteral("openModelFolderAction"));
    recent_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    export_ = file->addMenu(tr("&Export"));
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), &window, &QMainWindow::close);
    quit->setShortcut(QKeySequence::Quit);
}

void MainMenus::buildViewMenu(QMainWindow& window, QTabWidget& tabs)
{
    auto* view = window.menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < tabs.count(); ++i) {
        auto* action = view->addAction(tabs.tabText(i), &tabs, [&tabs, i] { tabs.setCurrentIndex(i); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    view->addAction(tr("&Spectrum"), this, &MainMenus::spectrumRequested)->setObjectName(QStringLiteral("spectrumAction"));
}

void MainMenus::buildInstrumentsMenu(QMainWindow& window)
{
    auto* instruments = window.menuBar()->addMenu(tr("&Instruments"));
    instruments->addAction(tr("&Round trip…"), this, &MainMenus::roundTripRequested)
        ->setObjectName(QStringLiteral("roundTripAction"));
    instruments->addAction(tr("&Health report…"), this, &MainMenus::healthReportRequested)
        ->setObjectName(QStringLiteral("healthReportAction"));
}

void MainMenus::buildHelpMenu(QMainWindow& window)
{
    auto* help = window.menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About diffscope"), &window, [&window] {
        QMessageBox::about(&window, tr("About diffscope"),
                           tr("<b>diffscope</b> %1<br>A desktop lab for diffusion models: schedules, SNR, "
                              "trajectories and samplers, frame by frame.")
                               .arg(QApplication::applicationVersion()));
    });
}

} // namespace ds
