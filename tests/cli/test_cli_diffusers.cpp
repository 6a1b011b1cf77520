// diffscope-cli on diffusers model folders: `info` reports what the folder's configs say, and
// `sample` on a folder gives what the engine gives in-process for the same run; a diffusers-unet
// trained here converts to a folder that samples as its checkpoint does, and folders export to
// TorchScript.
#include "cli_test_case.h"
#include "core/denoisers/diffusers_model.h"
#include "core/denoisers/diffusers_scheduler.h"
#include "core/io/npy.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace ds::test;

namespace {

const QString kFixtures = QString::fromStdString(ds::test::fixturesDir() + "/diffusers");

QString fixtureFolder() { return QDir(kFixtures).filePath(QDir(kFixtures).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name).value(0)); }
QString fixtureFile(const QString& name) { return QDir(fixtureFolder()).filePath(name); }

// A diffusers UNet2DModel small enough to train a few steps on Fashion-MNIST in seconds.
const char* kTinyDiffusersNet = R"({"kind": "diffusers-unet", "config": {"block_out_channels": [8, 16],
    "layers_per_block": 1, "norm_num_groups": 4, "attention_head_dim": 4,
    "down_block_types": ["DownBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "UpBlock2D"]}})";

} // namespace

class CliDiffusersTest : public CliTestCase {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QDir(fixtureFolder()).exists(), qPrintable("no fixture folder in " + kFixtures)); }

    void infoPrintsWhatTheFolderSays()
    {
        auto text = expectSuccess({"info", fixtureFolder()});
        QVERIFY2(text.out.contains("diffusers-unet2d"), qPrintable(text.out));
        QVERIFY2(text.out.contains("sampler:     ddpm (recommended)"), qPrintable(text.out));
        QVERIFY2(text.out.contains("weights:     float32"), qPrintable(text.out));

        auto r = expectSuccess({"info", fixtureFolder(), "--json"});
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const auto d = ds::DiffusersDenoiser::open(fixtureFolder().toStdString());
        QCOMPARE(j["kind"].toString(), QStringLiteral("diffusers-unet2d"));
        QCOMPARE(j["parameters"].toInteger(), d->info().parameters);
        QCOMPARE(j["shape"].toArray().at(1).toInt(), int(d->info().shape[1]));
        QCOMPARE(j["recommended_sampler"].toString(), QStringLiteral("ddpm"));
        QCOMPARE(j["recommended_options"].toObject()["spacing"].toString(), QStringLiteral("leading"));
        QCOMPARE(j["recommended_options"].toObject()["clip_denoised"].toBool(), true);

        auto ddim = expectSuccess({"info", fixtureFolder(), "--json", "--scheduler-config", fixtureFile("ddim_scheduler_config.json")});
        QCOMPARE(QJsonDocument::fromJson(ddim.out.toUtf8()).object()["recommended_sampler"].toString(), QStringLiteral("ddim"));
    }

    void sampleOnAFolderMatchesTheEngine()
    {
        const auto config = fixtureFile("ddim_scheduler_config.json");
        expectSuccess({"sample", "--checkpoint", fixtureFolder(), "--scheduler-config", config, "--sampler", "ddim",
                       "--steps", "5", "--spacing", "leading", "--clip", "--init", fixtureFile("xT.npy"), "--out",
                       p("s.npy"), "--quiet"});
        const auto xT = ds::loadNpy(fixtureFile("xT.npy").toStdString()).to(at::kFloat);
        const auto s = ds::loadNpy(p("s.npy").toStdString());
        QCOMPARE(s.sizes(), xT.sizes());
        QVERIFY(at::isfinite(s).all().item<bool>());
        QVERIFY(s.abs().max().item<double>() <= 1.0 + 1e-6); // clipped x̂0, final step lands on it

        // In-process: the scheduler's own options (clip_sample_range 1 = the data range).
        auto d = ds::DiffusersDenoiser::open(fixtureFolder().toStdString(), c10::kCPU, config.toStdString());
        auto options = ds::readDiffusersScheduler(config.toStdString()).defaults;
        options.steps = 5;
        auto sampler = ds::makeSampler("ddim");
        auto noise = ds::NoiseSource::replaying({});
        auto run = ds::runSampler(*sampler, *d, xT, options, noise);
        const double diff = (run.x - s).abs().max().item<double>();
        qInfo("CLI vs in-process 5-step DDIM: max |diff| %.3g", diff);
        // The CLI and this process may run different intra-op thread counts: float32 reductions
        // then differ by ~1e-6 per pass, which the early DDIM steps amplify (fixture README: ≈ 60×).
        QVERIFY2(diff <= 1e-4, qPrintable(QString::number(diff)));
    }

    // train → convert → the folder opens and samples exactly as the checkpoint does (same seed,
    // same options: the folder's scheduler recommends DDPM with clip_sample, given here to both).
    void trainedDiffusersUNetConvertsAndSamplesTheSame()
    {
        expectSuccess({"train", "--dataset", "fashion-mnist", "--dataset-limit", "64", "--network", kTinyDiffusersNet,
                       "--batch", "4", "--steps", "3", "--output-dir", p("runs"), "--name", "tiny", "--preview-every", "0",
                       "--quiet"});
        const auto ckpt = p("runs/tiny/latest.dsckpt"), folder = p("tiny-diffusers");
        auto converted = expectSuccess({"convert", "--checkpoint", ckpt, "--out", folder});
        QVERIFY2(converted.out.contains("DDPMScheduler with linear"), qPrintable(converted.out));
        for (const char* file : {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                                 "scheduler/scheduler_config.json"})
            QVERIFY2(QFile::exists(QDir(folder).filePath(file)), file);
        QVERIFY(QDir(p("")).entryList({"tiny-diffusers.tmp-*"}, QDir::AllEntries | QDir::Hidden).isEmpty());

        const auto native = QJsonDocument::fromJson(expectSuccess({"info", ckpt, "--json"}).out.toUtf8()).object();
        const auto opened = QJsonDocument::fromJson(expectSuccess({"info", folder, "--json"}).out.toUtf8()).object();
        QCOMPARE(opened["kind"].toString(), QStringLiteral("diffusers-unet2d"));
        QCOMPARE(opened["parameters"].toInteger(), native["parameters"].toInteger());
        QCOMPARE(opened["shape"].toArray(), native["shape"].toArray());
        QCOMPARE(opened["recommended_sampler"].toString(), QStringLiteral("ddpm"));

        const QStringList run{"--sampler", "ddpm", "--steps", "10", "--spacing", "leading", "--clip", "--n", "3",
                              "--seed", "5", "--quiet", "--no-manifest"};
        expectSuccess(QStringList{"sample", "--checkpoint", ckpt, "--out", p("native.npy")} + run);
        expectSuccess(QStringList{"sample", "--checkpoint", folder, "--out", p("folder.npy")} + run);
        const auto a = ds::loadNpy(p("native.npy").toStdString()), b = ds::loadNpy(p("folder.npy").toStdString());
        QCOMPARE(a.sizes(), b.sizes());
        QVERIFY2(at::equal(a, b), qPrintable(QString::number((a - b).abs().max().item<double>())));
    }

    void convertAndExportRefuseWhatTheyCannotDo()
    {
        expectSuccess({"train", "--dataset", "two-moons", "--network", R"({"kind":"mlp","hidden":8,"layers":1,"time_dim":4})",
                       "--steps", "2", "--output-dir", p("runs"), "--name", "mlp", "--preview-every", "0", "--quiet"});
        auto r = runCli({"convert", "--checkpoint", p("runs/mlp/latest.dsckpt"), "--out", p("mlp-folder")});
        QVERIFY(!r.crashed && r.exitCode != 0);
        QVERIFY2(r.err.contains("network kind 'mlp' does not convert") && r.err.contains("'diffusers-unet'"), qPrintable(r.err));
        QVERIFY(!QDir(p("mlp-folder")).exists());
        QDir().mkpath(p("exists"));
        r = runCli({"convert", "--checkpoint", p("runs/mlp/latest.dsckpt"), "--out", p("exists")});
        QVERIFY(!r.crashed && r.exitCode != 0);
        QVERIFY2(r.err.contains("already exists"), qPrintable(r.err));
        r = runCli({"convert", "--checkpoint", p("runs/mlp/latest.dsckpt"), "--out", p("no/such/dir/out")});
        QVERIFY(!r.crashed && r.exitCode != 0);
        QVERIFY2(r.err.contains("does not exist"), qPrintable(r.err));

        // A folder exports; the file opens as a diffscope model with the folder's parameters.
        expectSuccess({"export-torchscript", "--checkpoint", fixtureFolder(), "--out", p("a.pt")});
        const auto info = QJsonDocument::fromJson(expectSuccess({"info", p("a.pt"), "--json"}).out.toUtf8()).object();
        QCOMPARE(info["parameters"].toInteger(), ds::DiffusersDenoiser::open(fixtureFolder().toStdString())->info().parameters);
    }

    void badFoldersFailWithOneMessage()
    {
        QDir().mkpath(p("empty"));
        auto r = runCli({"info", p("empty")});
        QVERIFY(!r.crashed);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("no config.json") && r.err.contains(p("empty")), qPrintable(r.err));
        r = runCli({"info", fixtureFile("xT.npy"), "--scheduler-config", fixtureFile("scheduler_config.json")});
        QVERIFY(!r.crashed && r.exitCode != 0);
        QVERIFY2(r.err.contains("--scheduler-config applies to diffusers model folders"), qPrintable(r.err));
        r = runCli({"info", fixtureFolder(), "--scheduler-config", p("missing.json")});
        QVERIFY(!r.crashed && r.exitCode != 0);
        QVERIFY2(r.err.contains(p("missing.json")), qPrintable(r.err));
    }
};

DS_TEST_SUITE(CliDiffusersTest, "cli_diffusers");
#include "test_cli_diffusers.moc"
