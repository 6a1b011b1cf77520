// What diffscope remembers (QSettings): sampler settings (options as sampler_options.h's JSON,
// old keys migrated), the settings editor generated from the registry, recent files, the
// window's layout and samplers across a restart, and a model's own defaults on opening it.
#include "tests/widgets/widget_test_support.h"

#include "main_window.h"
#include "recent_files.h"

#include "tests/support/test_registry.h"
#include "widgets/common/sampler_settings.h"
#include "widgets/common/sampler_settings_editor.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/trajectory/trajectory_controls.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/denoisers/gaussian_denoiser.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;
using namespace ds::test;

namespace {

// The Gaussian oracle with what a diffusers folder's scheduler config would recommend.
class RecommendingOracle : public GaussianDenoiser {
public:
    RecommendingOracle(const ScheduleSpec& schedule, const std::string& sampler, const std::string& options)
        : GaussianDenoiser(at::zeros({1, 4, 4}), at::ones({1, 4, 4}), schedule)
    {
        info_.recommendedSampler = sampler;
        info_.recommendedOptions = options;
    }
};

} // namespace

class SettingsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { QSettings().clear(); }

    void samplerSettingsRoundTrip()
    {
        QTemporaryDir dir;
        QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
        auto a = SamplerSettings::of("ddpm", 250);
        a.options.spacing = Spacing::Trailing;
        a.options.sigma = SigmaMode::Large;
        a.options.sigmaScale = 0.5;
        a.options.clipDenoised = true;
        a.options.clipRange = 1.5;
        a.options.dynamicThreshold = true;
        a.options.thresholdQuantile = 0.9;
        a.options.churnTMax = 1e30; // EDM's "no upper bound" survives the text file
        a.start = "data";
        a.save(s, "x");
        QVERIFY(SamplerSettings::load(s, "x", {}) == a);
        // The options are one JSON value, sampler_options.h's spelling.
        const auto json = nlohmann::json::parse(s.value("x/options").toString().toStdString());
        QCOMPARE(json.at("sigma").get<std::string>(), std::string("large"));
        QCOMPARE(json.at("threshold_quantile").get<double>(), 0.9);
        s.setValue("x/sampler", "no-such-sampler"); // a stale file falls back, never breaks start-up
        QVERIFY(SamplerSettings::load(s, "x", {}) == SamplerSettings{});
        s.setValue("x/sampler", "ddpm");
        s.setValue("x/options", "{\"steps\": \"many\"}"); // hand-edited nonsense, too
        QVERIFY(SamplerSettings::load(s, "x", {}) == SamplerSettings{});
    }

    void oldSettingsAreMigratedOnce()
    {
        QTemporaryDir dir;
        QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
        s.setValue("x/sampler", "ddpm"); // what diffscope wrote before the options were JSON
        s.setValue("x/steps", 250);
        s.setValue("x/spacing", "trailing");
        s.setValue("x/sigma", "large");
        s.setValue("x/sigmaScale", 0.5);
        s.setValue("x/eta", 0.25);
        const auto old = SamplerSettings::load(s, "x", {});
        QCOMPARE(old.sampler, QStringLiteral("ddpm"));
        QCOMPARE(old.options.steps, int64_t(250));
        QCOMPARE(old.options.spacing, Spacing::Trailing);
        QCOMPARE(old.options.sigma, SigmaMode::Large);
        QCOMPARE(old.options.sigmaScale, 0.5);
        QCOMPARE(old.options.eta, 0.25);
        old.save(s, "x");
        QVERIFY(!s.contains("x/steps") && !s.contains("x/sigmaScale") && s.contains("x/options"));
        QVERIFY(SamplerSettings::load(s, "x", {}) == old);
    }

    void switchingSamplersKeepsWhatTheUserSet()
    {
        // Untouched options follow the new sampler's defaults (euler-ancestral's η = 1) …
        const auto ddim = SamplerSettings::of("ddim", 20);
        const auto ancestral = ddim.withSampler("euler-ancestral");
        QCOMPARE(ancestral.options.eta, defaultOptions("euler-ancestral").eta);
        QCOMPARE(ancestral.options.steps, int64_t(20)); // the user's steps stay
        // … options the user changed stay.
        auto tuned = ddim;
        tuned.options.eta = 0.3;
        QCOMPARE(tuned.withSampler("euler-ancestral").options.eta, 0.3);
    }

    void editorShowsExactlyTheOptionsTheSamplerReads()
    {
        SamplerSettingsEditor editor;
        editor.show();
        auto* sampler = qobject_cast<QComboBox*>(editor.field("sampler"));
        QVERIFY(sampler);
        for (const auto& e : samplerRegistry()) {
            sampler->setCurrentText(QString::fromUtf8(e.name.data(), int(e.name.size()))); // the user's pick
            for (const auto& f : samplerOptionFields()) {
                const auto key = QString::fromUtf8(f.key.data(), int(f.key.size()));
                if (!e.readsOption(f.key))
                    QVERIFY2(!editor.rowShown(key), qPrintable(key + " shown for " + sampler->currentText()));
                QVERIFY(editor.field(key) != nullptr);
            }
            QVERIFY(editor.rowShown("steps") == e.readsOption("steps"));
        }
        sampler->setCurrentText("picard-ddim");
        QVERIFY(editor.rowShown("window") && editor.rowShown("tolerance") && editor.rowShown("eta"));
        QVERIFY(editor.rowShown("clip_denoised") && !editor.rowShown("clip_range")); // the range shows with clipping on
        QVERIFY(editor.field("window")->toolTip().contains("Picard"));
        QSignalSpy changed(&editor, &SamplerSettingsEditor::changed);
        qobject_cast<QSpinBox*>(editor.field("window"))->setValue(8);
        qobject_cast<QCheckBox*>(editor.field("clip_denoised"))->setChecked(true);
        QVERIFY(editor.rowShown("clip_range"));
        QCOMPARE(editor.settings().options.window, int64_t(8));
        QVERIFY(editor.settings().options.clipDenoised);
        QCOMPARE(changed.count(), 2);
        sampler->setCurrentText("edm-heun");
        QVERIFY(editor.rowShown("churn") && editor.rowShown("churn_noise") && !editor.rowShown("window"));
        QVERIFY(!editor.rowShown("churn_tmin")); // S_tmin/S_tmax matter only with churn
        qobject_cast<QDoubleSpinBox*>(editor.field("churn"))->setValue(40);
        QVERIFY(editor.rowShown("churn_tmin") && editor.rowShown("churn_tmax"));
        QCOMPARE(qobject_cast<QDoubleSpinBox*>(editor.field("churn_tmax"))->text(), QStringLiteral("∞"));
        QCOMPARE(editor.settings().options.churn, 40.0);
        auto* spacing = qobject_cast<QComboBox*>(editor.field("spacing"));
        QVERIFY(!editor.rowShown("karras_rho"));
        spacing->setCurrentText("karras");
        QVERIFY(editor.rowShown("karras_rho"));
        QCOMPARE(editor.settings().options.spacing, Spacing::Karras);
        QVERIFY(sampler->toolTip().contains("EDM")); // the registry's description
    }

    void editorOffersTheModelsSamplersOnly()
    {
        SamplerSettingsEditor editor;
        editor.setSettings(SamplerSettings::of("ddpm", 100));
        editor.setSamplers({"dnm"});
        QCOMPARE(editor.samplers(), QStringList{"dnm"});
        QCOMPARE(editor.settings().sampler, QStringLiteral("dnm")); // the only one that can run
        QVERIFY(editor.rowShown("sigma_scale") && !editor.rowShown("eta"));
    }

    void openingAnotherModelTakesItsDefaults()
    {
        // The last session ran DDPM-1000 on another model; opening this one must not inherit
        // it (a UNet would take most of an hour): the model's defaults, few steps.
        {
            QSettings s;
            SamplerSettings::of("ddpm", 1000).save(s, "trajectory/sampler");
            s.setValue("trajectory/samplerModel", "resources/demo/fashion_mnist_ddpm.dsckpt");
        }
        StartOptions options;
        options.model = kGaussianOracle;
        MainWindow w(options);
        w.show();
        auto& view = w.trajectoryView();
        QTRY_VERIFY_WITH_TIMEOUT(w.model().hasModel() && view.document().frameCount() > 0, 60000);
        const auto opened = view.controls().samplerSettings();
        QCOMPARE(opened.sampler, QStringLiteral("ddim"));
        QCOMPARE(opened.options.steps, int64_t(50));
        QVERIFY(view.controls().samplerEditor().samplers().contains("oracle-ancestral")); // an exact oracle
        QVERIFY(!view.controls().samplerEditor().samplers().contains("dnm"));
        QTRY_VERIFY_WITH_TIMEOUT(!view.runner().running(), 60000);
        QCOMPARE(view.document().frameCount(), 51);
        w.close();
        // Reopening the same model keeps what the user set for it.
        QSettings s;
        QCOMPARE(s.value("trajectory/samplerModel").toString(), kGaussianOracle);
        auto mine = SamplerSettings::of("dpmpp-2m", 12);
        mine.save(s, "trajectory/sampler");
        s.sync();
        MainWindow again(options);
        QTRY_VERIFY_WITH_TIMEOUT(again.model().hasModel(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(again.trajectoryView().controls().samplerSettings().sampler, QStringLiteral("dpmpp-2m"), 5000);
        QCOMPARE(again.trajectoryView().controls().samplerSettings().options.steps, int64_t(12));
    }

    // A model's defaults: its recommendation where it can be read, the registry's measured grid
    // for its schedule otherwise, and a reason line either way (never a silent fallback).
    void modelDefaultsSayWhereTheyCameFrom()
    {
        QString why;
        const auto good = modelDefaults(RecommendingOracle(ScheduleSpec::linear(), "ddim", R"({"eta": 0.5, "steps": 30})"), &why);
        QCOMPARE(good.sampler, QString("ddim"));
        QCOMPARE(good.options.eta, 0.5);
        QCOMPARE(good.options.steps, int64_t(30));
        QVERIFY2(why.contains("as the model's scheduler config recommends"), qPrintable(why));
        why.clear();
        const auto bad = modelDefaults(RecommendingOracle(ScheduleSpec::cosine(), "dpmpp-2m", R"({"eta": )"), &why);
        QCOMPARE(bad.sampler, QString("dpmpp-2m"));
        QVERIFY(bad.options.spacing == Spacing::Leading); // the cosine schedule's measured grid
        QVERIFY2(why.contains("recommended options were not used"), qPrintable(why));
        why.clear();
        const auto none = modelDefaults(RecommendingOracle(ScheduleSpec::linear(), "", ""), &why);
        QCOMPARE(none.sampler, QString("ddim"));
        QVERIFY(none.options.spacing == Spacing::Leading);
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
        auto traj = SamplerSettings::of("dpmpp-2m", 12);
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
