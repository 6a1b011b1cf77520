// What diffscope remembers (QSettings): sampler settings, recent files, and the window's
// layout and samplers across a restart.
#include "tests/widgets/widget_test_support.h"

#include "main_window.h"
#include "recent_files.h"

#include "tests/support/test_registry.h"
#include "widgets/common/sampler_settings.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_view.h"

#include <QMenu>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;

class SettingsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { QSettings().clear(); }

    void samplerSettingsRoundTrip()
    {
        QTemporaryDir dir;
        QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
        SamplerSettings a;
        a.sampler = "ddpm";
        a.steps = 250;
        a.spacing = "trailing";
        a.sigma = "large";
        a.sigmaScale = 0.5;
        a.save(s, "x");
        QVERIFY(SamplerSettings::load(s, "x", {}) == a);
        s.setValue("x/sampler", "no-such-sampler"); // a stale file falls back, never breaks start-up
        QVERIFY(SamplerSettings::load(s, "x", {}) == SamplerSettings{});
    }

    void recentFilesKeepTheNewestTen()
    {
        QMenu menu;
        {
            RecentFiles recent(&menu);
            for (int i = 0; i < 12; ++i)
                recent.add(QStringLiteral("/models/m%1.pt").arg(i));
            recent.add("/models/m5.pt");
            QCOMPARE(recent.items().size(), RecentFiles::kMax);
            QCOMPARE(recent.items().first(), QStringLiteral("/models/m5.pt"));
            QCOMPARE(recent.items().at(1), QStringLiteral("/models/m11.pt"));
            QVERIFY(!recent.items().contains("/models/m0.pt"));
        }
        RecentFiles again(&menu); // a new session reads them back
        QCOMPARE(again.items().first(), QStringLiteral("/models/m5.pt"));
        QVERIFY(menu.actions().size() >= RecentFiles::kMax);
    }

    void windowRemembersSamplersAndLayout()
    {
        StartOptions options;
        options.model.clear();
        SamplerSettings traj;
        traj.sampler = "dpmpp-2m";
        traj.steps = 12;
        {
            MainWindow w(options);
            w.trajectoryView().controls().setSamplerSettings(traj);
            w.trajectoryView().controls().setBatch(7);
            w.comparisonView().addPane(SamplerSettings{});
            w.resize(1300, 777); // above the window's minimum width with every control shown
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.close(); // saves
        }
        MainWindow again(options);
        QVERIFY(again.trajectoryView().controls().samplerSettings() == traj);
        QCOMPARE(again.trajectoryView().controls().batch(), 7);
        QCOMPARE(again.comparisonView().paneCount(), 4);
        QCOMPARE(again.size(), QSize(1300, 777));
    }
};

DS_TEST_SUITE(SettingsTest, "settings");
#include "test_settings.moc"
