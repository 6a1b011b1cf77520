// app/gui with diffusers model folders: opening one through MainWindow::openModel (what File →
// "Open model folder…" calls) and dropping one on the window both show the model, and recent
// files keep the folder.
#include "widget_test_support.h"

#include "main_window.h"
#include "recent_files.h"
#include "status_panel.h"

#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"
#include "widgets/engine/model_session.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/denoisers/denoiser.h"
#include "core/samplers/timesteps.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDropEvent>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QTest>

using namespace ds;

namespace {

const QString kFixtures = QString::fromStdString(ds::test::fixturesDir() + "/diffusers");

// Clean (no "..", no trailing slash): the form the window keeps.
QString fixtureFolder()
{
    const QDir fixtures(kFixtures);
    return QDir::cleanPath(fixtures.filePath(fixtures.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name).value(0)));
}

StartOptions noModel()
{
    StartOptions o;
    o.model = QString(); // no start-up model to race with
    o.restoreSettings = false;
    return o;
}

} // namespace

class ModelFolderTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(QDir(fixtureFolder()).exists(), qPrintable("no fixture folder in " + kFixtures)); }

    void openedFolderShowsTheModel()
    {
        MainWindow w(noModel());
        w.show();
        w.openModel(fixtureFolder());
        QTRY_VERIFY_WITH_TIMEOUT(w.model().hasModel(), 60000);
        const auto status = w.statusPanel().modelText();
        const auto name = QDir(fixtureFolder()).dirName();
        QVERIFY2(status.contains("diffusers-unet2d") && status.contains(name), qPrintable(status));
        QVERIFY2(w.windowTitle().endsWith(name), qPrintable(w.windowTitle()));
        QCOMPARE(w.recentFiles().items().value(0), fixtureFolder());
        bool listed = false;
        for (auto* action : w.findChildren<QAction*>())
            listed |= action->toolTip() == fixtureFolder() && action->text().endsWith(name + "/");
        QVERIFY(listed); // the recent menu names the folder as a folder
        bool menuEntry = false;
        for (auto* action : w.findChildren<QAction*>())
            menuEntry |= action->objectName() == "openModelFolderAction";
        QVERIFY(menuEntry);
        // The folder's scheduler config chose the sampler and its options (a DDPMScheduler
        // with clip_sample and "leading" spacing), not the last model's settings.
        const auto settings = w.trajectoryView().controls().samplerSettings();
        QCOMPARE(settings.sampler, QString::fromStdString(w.model().denoiser()->info().recommendedSampler));
        QCOMPARE(settings.sampler, QStringLiteral("ddpm"));
        QVERIFY(settings.options.clipDenoised);
        QCOMPARE(settings.options.spacing, Spacing::Leading);
        QVERIFY(settings.options.steps <= 50);
    }

    void droppedFolderIsOpened()
    {
        MainWindow w(noModel());
        w.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(fixtureFolder() + "/")});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(w.model().hasModel(), 60000);
        QCOMPARE(w.model().summary().source, fixtureFolder()); // the trailing slash is dropped
        QCOMPARE(w.model().summary().kind, QStringLiteral("diffusers-unet2d"));
        // The window runs the model at once: a real trajectory of the folder's network.
        QTRY_VERIFY_WITH_TIMEOUT(!w.trajectoryView().runner().running() && w.trajectoryView().document().frameCount() > 1,
                                 60000);
    }
};

DS_TEST_SUITE(ModelFolderTest, "model_folder");
#include "test_model_folder.moc"
