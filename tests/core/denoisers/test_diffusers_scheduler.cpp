// diffusers scheduler_config.json: the fixture's DDPM/DDIM configs, every mapped option in a
// hand-written config, and each refusal (the message names the file and the field).
#include "core/denoisers/diffusers_scheduler.h"
#include "models/error.h"
#include "core/io/npy.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace ds;
using nlohmann::json;

namespace {

const std::string kFixtureDir = ds::test::fixturesDir() + "/diffusers/A/";

// A DDPMScheduler config as diffusers 0.27 writes it, with `changes` merged in.
DiffusersScheduler fromConfig(const json& changes, const std::string& cls = "DDPMScheduler")
{
    json j{{"_class_name", cls},      {"_diffusers_version", "0.27.2"}, {"beta_start", 0.0001},
           {"beta_end", 0.02},        {"beta_schedule", "linear"},      {"num_train_timesteps", 1000},
           {"prediction_type", "epsilon"}, {"timestep_spacing", "leading"}, {"steps_offset", 0}};
    if (!changes.is_null()) // `{}` arrives as null
        j.update(changes);
    return diffusersSchedulerFromJson(j, "cfg.json");
}

bool hasNote(const DiffusersScheduler& s, const std::string& text)
{
    for (const auto& n : s.notes)
        if (n.find(text) != std::string::npos)
            return true;
    return false;
}

} // namespace

class DiffusersSchedulerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsTheFixtureDdpmConfig()
    {
        const auto s = readDiffusersScheduler(kFixtureDir + "scheduler_config.json");
        QCOMPARE(s.className, std::string("DDPMScheduler"));
        QCOMPARE(s.sampler, std::string("ddpm"));
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::Linear));
        QCOMPARE(s.schedule.T, 1000);
        QCOMPARE(s.schedule.betaStart, 0.0001);
        QCOMPARE(s.schedule.betaEnd, 0.02);
        QCOMPARE(int(s.prediction), int(Prediction::Epsilon));
        QVERIFY(s.defaults.clipDenoised);
        QCOMPARE(s.defaults.clipRange, 1.0);
        QVERIFY(!s.defaults.dynamicThreshold);
        QCOMPARE(int(s.defaults.spacing), int(Spacing::Leading));
        QCOMPARE(s.defaults.stepsOffset, 0);
        QCOMPARE(int(s.defaults.sigma), int(SigmaMode::Small));
        QCOMPARE(s.defaults.eta, 0.0);
        QVERIFY2(s.notes.empty(), s.notes.empty() ? "" : s.notes.front().c_str()); // every field understood
        // The schedule it describes is the scheduler's own (float32) ᾱ table.
        Schedule schedule(s.schedule);
        const auto reference = loadNpy(kFixtureDir + "sched_alphas_cumprod_f32.npy");
        DS_COMPARE_TENSORS(schedule.alphasCumprod(), reference, 2e-6);
    }

    void readsTheFixtureDdimConfig()
    {
        const auto s = readDiffusersScheduler(kFixtureDir + "ddim_scheduler_config.json");
        QCOMPARE(s.sampler, std::string("ddim"));
        QVERIFY(s.defaults.clipDenoised);
        QVERIFY(!hasNote(s, "set_alpha_to_one"));
        QVERIFY(s.notes.empty());
    }

    void classesMapToSamplers_data()
    {
        QTest::addColumn<QString>("cls");
        QTest::addColumn<QString>("sampler");
        QTest::addColumn<bool>("noted");
        QTest::newRow("ddpm") << "DDPMScheduler" << "ddpm" << false;
        QTest::newRow("ddim") << "DDIMScheduler" << "ddim" << false;
        QTest::newRow("dpm") << "DPMSolverMultistepScheduler" << "dpmpp-2m" << false;
        QTest::newRow("euler") << "EulerDiscreteScheduler" << "euler" << false;
        QTest::newRow("euler-a") << "EulerAncestralDiscreteScheduler" << "euler-ancestral" << false;
        QTest::newRow("pndm") << "PNDMScheduler" << "ddim" << true;
        QTest::newRow("other") << "LMSDiscreteScheduler" << "ddim" << true;
    }
    void classesMapToSamplers()
    {
        QFETCH(QString, cls);
        QFETCH(QString, sampler);
        QFETCH(bool, noted);
        const auto s = fromConfig({}, cls.toStdString());
        QCOMPARE(QString::fromStdString(s.sampler), sampler);
        QCOMPARE(hasNote(s, "sampling with DDIM"), noted);
    }

    void ancestralEulerAddsFullNoise()
    {
        QCOMPARE(fromConfig({}, "EulerAncestralDiscreteScheduler").defaults.eta, 1.0);
        QCOMPARE(fromConfig({}, "EulerDiscreteScheduler").defaults.eta, 0.0);
    }

    void betaSchedules()
    {
        auto s = fromConfig({{"beta_schedule", "scaled_linear"}, {"beta_start", 0.00085}, {"beta_end", 0.012}});
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::ScaledLinear));
        QCOMPARE(s.schedule.betaStart, 0.00085);
        s = fromConfig({{"beta_schedule", "squaredcos_cap_v2"}});
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::Cosine));
        QCOMPARE(s.schedule.cosineOffset, 0.008);
        s = fromConfig({{"beta_schedule", "sigmoid"}});
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::Sigmoid));
        s = fromConfig({{"trained_betas", {0.1, 0.2, 0.3}}, {"num_train_timesteps", 3}});
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::Betas));
        QCOMPARE(s.schedule.values, (std::vector<double>{0.1, 0.2, 0.3}));
        QCOMPARE(s.schedule.T, 3);
        s = fromConfig({{"trained_betas", nullptr}}); // diffusers writes null when unused
        QCOMPARE(int(s.schedule.kind), int(ScheduleKind::Linear));
    }

    void predictionTypes()
    {
        QCOMPARE(int(fromConfig({{"prediction_type", "sample"}}).prediction), int(Prediction::X0));
        QCOMPARE(int(fromConfig({{"prediction_type", "v_prediction"}}).prediction), int(Prediction::V));
    }

    void clippingAndThresholding()
    {
        auto s = fromConfig({{"clip_sample", false}});
        QVERIFY(!s.defaults.clipDenoised);
        s = fromConfig({{"clip_sample", true}, {"clip_sample_range", 2.5}});
        QVERIFY(s.defaults.clipDenoised);
        QCOMPARE(s.defaults.clipRange, 2.5);
        s = fromConfig({{"clip_sample", true}, {"thresholding", true}, {"dynamic_thresholding_ratio", 0.9},
                        {"sample_max_value", 3.0}});
        QVERIFY(s.defaults.dynamicThreshold);
        QVERIFY(!s.defaults.clipDenoised);
        QCOMPARE(s.defaults.thresholdQuantile, 0.9);
        QCOMPARE(s.defaults.thresholdMax, 3.0);
        QVERIFY(hasNote(s, "thresholding takes precedence"));
        // Absent clip_sample: DDPM/DDIM clip by default, the other classes have no clipping.
        json j{{"_class_name", "DDPMScheduler"}};
        QVERIFY(diffusersSchedulerFromJson(j, "c.json").defaults.clipDenoised);
        j["_class_name"] = "EulerDiscreteScheduler";
        QVERIFY(!diffusersSchedulerFromJson(j, "c.json").defaults.clipDenoised);
    }

    void spacings()
    {
        QCOMPARE(int(fromConfig({{"timestep_spacing", "trailing"}}).defaults.spacing), int(Spacing::Trailing));
        auto s = fromConfig({{"timestep_spacing", "linspace"}, {"steps_offset", 1}});
        QCOMPARE(int(s.defaults.spacing), int(Spacing::Linspace));
        QCOMPARE(s.defaults.stepsOffset, 1);
        s = fromConfig({{"use_karras_sigmas", true}}, "EulerDiscreteScheduler");
        QCOMPARE(int(s.defaults.spacing), int(Spacing::Karras));
        QVERIFY(hasNote(s, "use_karras_sigmas"));
        QCOMPARE(int(fromConfig({{"use_karras_sigmas", false}}).defaults.spacing), int(Spacing::Leading));
        // Missing: diffusers' class default, noted.
        json j{{"_class_name", "EulerDiscreteScheduler"}};
        s = diffusersSchedulerFromJson(j, "c.json");
        QCOMPARE(int(s.defaults.spacing), int(Spacing::Linspace));
        QVERIFY(hasNote(s, "timestep_spacing missing"));
        QVERIFY(hasNote(s, "num_train_timesteps missing"));
    }

    void varianceTypes()
    {
        QCOMPARE(int(fromConfig({{"variance_type", "fixed_large"}}).defaults.sigma), int(SigmaMode::Large));
        auto s = fromConfig({{"variance_type", "fixed_small_log"}});
        QCOMPARE(int(s.defaults.sigma), int(SigmaMode::Small));
        QVERIFY(hasNote(s, "fixed_small_log"));
        s = fromConfig({{"variance_type", "fixed_large_log"}});
        QCOMPARE(int(s.defaults.sigma), int(SigmaMode::Large));
        QVERIFY(hasNote(s, "fixed_large_log"));
    }

    void zeroTerminalSnr()
    {
        const auto s = fromConfig({{"rescale_betas_zero_snr", true}, {"prediction_type", "v_prediction"}});
        QVERIFY(s.schedule.rescaleZeroTerminalSnr);
        QVERIFY(hasNote(s, "rescale_betas_zero_snr"));
        QVERIFY(!hasNote(s, "ill-conditioned"));
        Schedule schedule(s.schedule);
        QVERIFY(schedule.terminalAlphaBar() > 0 && schedule.terminalAlphaBar() <= std::ldexp(1.0, -24));
        QVERIFY(schedule.terminalAlphaBar() < schedule.alphaBarAt(998));
        QVERIFY(hasNote(fromConfig({{"rescale_betas_zero_snr", true}}), "ill-conditioned"));
    }

    void approximationsAndUnknownFieldsAreNoted()
    {
        QVERIFY(hasNote(fromConfig({{"set_alpha_to_one", false}}, "DDIMScheduler"), "set_alpha_to_one false"));
        auto s = fromConfig({{"algorithm_type", "sde-dpmsolver++"}, {"solver_order", 3}, {"lower_order_final", true}},
                            "DPMSolverMultistepScheduler");
        QVERIFY(hasNote(s, "sde-dpmsolver++"));
        QVERIFY(hasNote(s, "solver_order 3"));
        QVERIFY(hasNote(s, "lower_order_final"));
        s = fromConfig({{"some_future_option", 1}});
        QVERIFY(hasNote(s, "'some_future_option' ignored"));
    }

    void refusals()
    {
        DS_EXPECT_ERROR(fromConfig({{"variance_type", "learned"}}), "cfg.json: field 'variance_type' = 'learned'");
        DS_EXPECT_ERROR(fromConfig({{"variance_type", "learned_range"}}), "'variance_type' = 'learned_range'");
        DS_EXPECT_ERROR(fromConfig({{"variance_type", "wild"}}), "'variance_type' = 'wild'");
        DS_EXPECT_ERROR(fromConfig({{"beta_schedule", "exponential"}}), "cfg.json: field 'beta_schedule' = 'exponential'");
        DS_EXPECT_ERROR(fromConfig({{"trained_betas", {0.1, 0.2}}}), "'trained_betas' has 2 entries but num_train_timesteps is 1000");
        DS_EXPECT_ERROR(fromConfig({{"trained_betas", {0.1, "x"}}, {"num_train_timesteps", 2}}), "'trained_betas' holds a non-number");
        DS_EXPECT_ERROR(fromConfig({{"trained_betas", {0.1, 1.5}}, {"num_train_timesteps", 2}}), "beta[1]");
        DS_EXPECT_ERROR(fromConfig({{"prediction_type", "flow"}}), "'prediction_type' = 'flow'");
        DS_EXPECT_ERROR(fromConfig({{"timestep_spacing", "random"}}), "'timestep_spacing' = 'random'");
        DS_EXPECT_ERROR(fromConfig({{"beta_start", "small"}}), "field 'beta_start' must be a number");
        DS_EXPECT_ERROR(fromConfig({{"num_train_timesteps", 10.5}}), "field 'num_train_timesteps' must be an integer");
        DS_EXPECT_ERROR(fromConfig({{"clip_sample", "yes"}}), "field 'clip_sample' must be true or false");
        DS_EXPECT_ERROR(fromConfig({{"beta_end", 1.5}}), "cfg.json: linear schedule");
        DS_EXPECT_ERROR(fromConfig({{"steps_offset", -1}}), "'steps_offset' must be >= 0");
        DS_EXPECT_ERROR(diffusersSchedulerFromJson(json::array(), "cfg.json"), "cfg.json: a scheduler config must be");
    }

    void refusesBadFiles()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("scheduler_config.json").toStdString();
        std::ofstream(path) << "{\"_class_name\": \"DDPMScheduler\", ";
        DS_EXPECT_ERROR(readDiffusersScheduler(path), (path + ": not valid JSON").c_str());
        DS_EXPECT_ERROR(readDiffusersScheduler(dir.filePath("absent.json").toStdString()), "cannot open");
    }
};

DS_TEST_SUITE(DiffusersSchedulerTest, "diffusers_scheduler");
#include "test_diffusers_scheduler.moc"
