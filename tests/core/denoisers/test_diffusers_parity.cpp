// diffusers model folders (core/diffusers_model): every fixture folder opens as a Denoiser,
// and diffscope's ddim / ddpm samplers on the fixture's own timesteps reproduce diffusers'
// loops step by step; damaged folders fail with a message naming the folder or file.
#include "core/denoisers/diffusers_model.h"
#include "core/denoisers/diffusers_scheduler.h"
#include "models/error.h"
#include "core/io/npy.h"
#include "core/io/safetensors.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace ds;

namespace {

constexpr double kFinalTol = 1e-3; // full loops, data in [−1, 1] (README: DDIM amplifies ≈ 60×)
constexpr double kStepTol = 1e-4;  // one step or one forward pass from the fixture's own state

const QString kFixtures = QString::fromStdString(ds::test::fixturesDir() + "/diffusers");

QStringList fixtureFolders()
{
    QStringList out;
    for (const auto& name : QDir(kFixtures).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        out << QDir(kFixtures).filePath(name);
    return out;
}

// The loops a folder holds: "ddim10", "ddpm50", … (from *_timesteps.npy, never assumed).
QStringList loopPrefixes(const QString& folder)
{
    static const QRegularExpression re(QStringLiteral("^((ddim|ddpm)\\d+)_timesteps\\.npy$"));
    QStringList out;
    for (const auto& file : QDir(folder).entryList(QDir::Files, QDir::Name))
        if (auto m = re.match(file); m.hasMatch())
            out << m.captured(1);
    return out;
}

at::Tensor npy(const QString& folder, const QString& name) { return loadNpy(QDir(folder).filePath(name).toStdString()); }

std::vector<int64_t> toVector(const at::Tensor& t)
{
    auto c = t.to(at::kLong).contiguous();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// One sampler loop of a fixture: its grid, scheduler and recorded tensors.
struct Loop {
    QString folder, prefix;
    std::string sampler;     // "ddim" or "ddpm"
    std::string config;      // the scheduler config the loop was made with
    std::vector<int64_t> grid;
    at::Tensor xT, modelOut, final;
    at::Tensor states; // [S + 1, N, C, H, W]: x_T, then the state after each step
    std::vector<at::Tensor> noise;      // DDPM: one draw per step with t > 0
    std::vector<int64_t> noiseTimesteps;

    QString file(const QString& tail) const { return prefix + tail; }
};

Loop readLoop(const QString& folder, const QString& prefix)
{
    Loop l;
    l.folder = folder;
    l.prefix = prefix;
    l.sampler = prefix.startsWith("ddim") ? "ddim" : "ddpm";
    const auto config = l.sampler == "ddim" ? "ddim_scheduler_config.json" : "scheduler_config.json";
    l.config = QDir(folder).filePath(config).toStdString();
    l.grid = toVector(npy(folder, l.file("_timesteps.npy")));
    l.xT = npy(folder, "xT.npy").to(at::kFloat);
    // *_traj holds x_T and the state after each step (or only the latter).
    auto traj = npy(folder, l.file("_traj_f32.npy"));
    l.states = traj.size(0) == int64_t(l.grid.size()) ? at::cat({l.xT.unsqueeze(0), traj}) : traj;
    l.modelOut = npy(folder, l.file("_model_out_f32.npy"));
    l.final = npy(folder, l.file("_final_f32.npy"));
    if (QFile::exists(QDir(folder).filePath(l.file("_noise_f32.npy")))) {
        auto draws = npy(folder, l.file("_noise_f32.npy"));
        for (int64_t i = 0; i < draws.size(0); ++i)
            l.noise.push_back(draws[i]);
        l.noiseTimesteps = toVector(npy(folder, l.file("_noise_timesteps.npy")));
    }
    return l;
}

SamplerOptions loopOptions(const Loop& l)
{
    auto options = readDiffusersScheduler(l.config).defaults;
    options.steps = int64_t(l.grid.size());
    return options;
}

// The recorded draw of the step that starts at index k (none for a step that adds no noise).
std::vector<at::Tensor> drawFor(const Loop& l, int64_t k)
{
    for (size_t j = 0; j < l.noiseTimesteps.size(); ++j)
        if (l.noiseTimesteps[j] == k)
            return {l.noise[j]};
    return {};
}

// diffusers' DDIMScheduler.step keeps the network's ε̂ beside a clipped x̂0 (its default
// use_clipped_model_output = False); so does diffscope's ddim. Re-deriving ε̂ from the clipped
// x̂0 instead made the paths part by ≈ 3.8 at k = 900 on fixture A: this test kills that.

void addLoopRows()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("prefix");
    for (const auto& folder : fixtureFolders())
        for (const auto& prefix : loopPrefixes(folder))
            QTest::newRow(qPrintable(QDir(folder).dirName() + "/" + prefix)) << folder << prefix;
}

void copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    QVERIFY2(QFile::copy(from, to), qPrintable("cannot copy " + from));
    QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner);
}

// A writable copy of a fixture's UNet folder: config, safetensors weights, scheduler.
void copyUNetFolder(const QString& from, const QString& to, bool withScheduler = true)
{
    QDir().mkpath(to);
    QStringList files{"config.json", "diffusion_pytorch_model.safetensors"};
    if (withScheduler)
        files << "scheduler_config.json";
    for (const auto& f : files)
        copyFile(QDir(from).filePath(f), QDir(to).filePath(f));
}

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

void writeJson(const QString& path, const nlohmann::json& j) { std::ofstream(path.toStdString()) << j.dump(2); }

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

class DiffusersParityTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString firstFixture() const { return fixtureFolders().value(0); }
    QString tmp(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!fixtureFolders().isEmpty(), qPrintable("no fixture folders under " + kFixtures));
        for (const auto& folder : fixtureFolders())
            QVERIFY2(!loopPrefixes(folder).isEmpty(), qPrintable(folder + ": no *_timesteps.npy loops"));
    }

    void folderInfoComesFromItsConfigs()
    {
        for (const auto& folder : fixtureFolders()) {
            auto d = DiffusersDenoiser::open(folder.toStdString(), c10::kCPU);
            const auto& info = d->info();
            const auto config = readJson(QDir(folder).filePath("config.json"));
            QCOMPARE(QString::fromStdString(info.kind), QStringLiteral("diffusers-unet2d"));
            QCOMPARE(info.shape[0], config["in_channels"].get<int64_t>());
            QCOMPARE(info.shape[1], config["sample_size"].get<int64_t>());
            QCOMPARE(info.range.lo, -1.0);
            QCOMPARE(info.range.hi, 1.0);
            QCOMPARE(QString::fromStdString(info.weightsDtype), QStringLiteral("float32"));
            QCOMPARE(QString::fromStdString(info.recommendedSampler), QStringLiteral("ddpm"));
            QVERIFY(info.parameters > 0);
            const auto sched = readDiffusersScheduler(QDir(folder).filePath("scheduler_config.json").toStdString());
            QCOMPARE(info.schedule.T, sched.schedule.T);
            QCOMPARE(int(info.prediction), int(sched.prediction));
            const auto options = nlohmann::json::parse(info.recommendedOptions);
            for (const char* key : {"spacing", "steps_offset", "clip_denoised", "clip_range", "dynamic_threshold",
                                    "threshold_quantile", "threshold_max", "sigma", "eta"})
                QVERIFY2(options.contains(key), key);
            QCOMPARE(options["spacing"].get<std::string>(), std::string(name(sched.defaults.spacing)));
            QCOMPARE(options["clip_denoised"].get<bool>(), sched.defaults.clipDenoised);
        }
    }

    void fixtureAHasItsDocumentedSize()
    {
        const auto a = QDir(kFixtures).filePath("A");
        if (!QDir(a).exists())
            QSKIP("fixture A not present");
        QCOMPARE(DiffusersDenoiser::open(a.toStdString())->info().parameters, int64_t(701345)); // README
    }

    // diffusers' t is the 0-based index: the denoiser's raw output is model(x, t).sample.
    void forwardPassesMatchTheReference()
    {
        for (const auto& folder : fixtureFolders()) {
            auto d = DiffusersDenoiser::open(folder.toStdString());
            const auto x = npy(folder, "fwd_x.npy").to(at::kFloat);
            for (const auto& t : QStringList{"fwd_t0", "fwd_t1"}) {
                auto out = (*d)(x, npy(folder, t + ".npy").to(at::kLong));
                DS_COMPARE_TENSORS(out, npy(folder, t + "_out_f32.npy"), kStepTol);
            }
        }
    }

    void modelOutputPerStepMatches_data() { addLoopRows(); }
    void modelOutputPerStepMatches()
    {
        QFETCH(QString, folder);
        QFETCH(QString, prefix);
        const auto l = readLoop(folder, prefix);
        auto d = DiffusersDenoiser::open(folder.toStdString(), c10::kCPU, l.config);
        QCOMPARE(int64_t(l.modelOut.size(0)), int64_t(l.grid.size()));
        QCOMPARE(int64_t(l.states.size(0)), int64_t(l.grid.size()) + 1);
        QVERIFY(at::equal(l.states[0], l.xT));
        double worst = 0;
        for (size_t i = 0; i < l.grid.size(); ++i) {
            const auto x = l.states[int64_t(i)];
            auto out = (*d)(x, at::full({x.size(0)}, l.grid[i], at::kLong));
            QCOMPARE(out.sizes(), l.modelOut[int64_t(i)].sizes());
            worst = std::max(worst, test::maxAbsDiff(out, l.modelOut[int64_t(i)]));
        }
        qInfo("largest model-output difference over %d steps: %.3g", int(l.grid.size()), worst);
        QVERIFY2(worst <= kStepTol, qPrintable(QString::number(worst)));
    }

    // From the fixture's own state before step i, one diffscope step gives its state after it.
    void singleStepsMatch_data() { addLoopRows(); }
    void singleStepsMatch()
    {
        QFETCH(QString, folder);
        QFETCH(QString, prefix);
        const auto l = readLoop(folder, prefix);
        auto d = DiffusersDenoiser::open(folder.toStdString(), c10::kCPU, l.config);
        QCOMPARE(d->info().recommendedSampler, l.sampler);
        auto sampler = makeSampler(l.sampler);
        sampler->begin(d->schedule(), loopOptions(l), l.grid);
        double worst = 0;
        int64_t worstStep = -1;
        for (size_t i = 0; i < l.grid.size(); ++i) {
            auto noise = NoiseSource::replaying(drawFor(l, l.grid[i]));
            auto next = sampler->step(*d, l.states[int64_t(i)], int64_t(i), noise);
            QCOMPARE(noise.draws(), int64_t(drawFor(l, l.grid[i]).size())); // a recorded draw is used, or none
            const double diff = test::maxAbsDiff(next.x, l.states[int64_t(i) + 1]);
            if (diff > worst)
                worst = diff, worstStep = int64_t(i);
        }
        qInfo("largest single-step difference: %.3g (step %d, k = %d)", worst, int(worstStep),
              int(worstStep >= 0 ? l.grid[size_t(worstStep)] : -1));
        QVERIFY2(worst <= kStepTol, qPrintable(QString::number(worst)));
    }

    void fullLoopsMatch_data() { addLoopRows(); }
    void fullLoopsMatch()
    {
        QFETCH(QString, folder);
        QFETCH(QString, prefix);
        const auto l = readLoop(folder, prefix);
        auto d = DiffusersDenoiser::open(folder.toStdString(), c10::kCPU, l.config);
        auto sampler = makeSampler(l.sampler);
        auto noise = NoiseSource::replaying(l.noise); // DDIM (η = 0) must draw nothing
        std::vector<at::Tensor> states;
        auto observer = [&](const StepEvent& e) {
            states.push_back(e.x.clone());
            return true;
        };
        auto run = runSamplerOnGrid(*sampler, *d, l.xT, loopOptions(l), l.grid, noise, observer);
        QCOMPARE(int64_t(states.size()), int64_t(l.grid.size()));
        QCOMPARE(noise.draws(), int64_t(l.noise.size()));
        double worst = 0;
        for (size_t i = 0; i < states.size(); ++i)
            worst = std::max(worst, test::maxAbsDiff(states[i], l.states[int64_t(i) + 1]));
        qInfo("largest state difference over %d steps %.3g, final %.3g", int(states.size()), worst,
              test::maxAbsDiff(run.x, l.final));
        QVERIFY2(worst <= kFinalTol, qPrintable(QString::number(worst)));
        DS_COMPARE_TENSORS(run.x, l.final, kFinalTol);
    }

    // diffusers' own DDIM step, x' = √ᾱ' clip(x̂0) + √(1 − ᾱ') ε̂ (η = 0), on this denoiser's ε̂:
    // pins the network and ᾱ on the DDIM grid whatever the ε̂ convention of diffscope's ddim.
    void ddimReferenceStepOnTheDenoiser_data() { addLoopRows(); }
    void ddimReferenceStepOnTheDenoiser()
    {
        QFETCH(QString, folder);
        QFETCH(QString, prefix);
        const auto l = readLoop(folder, prefix);
        if (l.sampler != "ddim")
            QSKIP("not a DDIM loop");
        auto d = DiffusersDenoiser::open(folder.toStdString(), c10::kCPU, l.config);
        QCOMPARE(int(d->info().prediction), int(Prediction::Epsilon));
        const auto options = loopOptions(l);
        double worst = 0;
        for (size_t i = 0; i < l.grid.size(); ++i) {
            const auto x = l.states[int64_t(i)];
            const auto eps = (*d)(x, at::full({x.size(0)}, l.grid[i], at::kLong));
            const double a = d->schedule().alphaBarAt(l.grid[i]);
            const double next = d->schedule().alphaBarAt(i + 1 < l.grid.size() ? l.grid[i + 1] : -1);
            auto x0 = (x - std::sqrt(1 - a) * eps) / std::sqrt(a);
            if (options.clipDenoised)
                x0 = x0.clamp(-options.clipRange, options.clipRange);
            const auto step = std::sqrt(next) * x0 + std::sqrt(1 - next) * eps;
            worst = std::max(worst, test::maxAbsDiff(step, l.states[int64_t(i) + 1]));
        }
        qInfo("diffusers' DDIM step on this denoiser: largest difference %.3g", worst);
        QVERIFY2(worst <= kStepTol, qPrintable(QString::number(worst)));
    }

    void pipelineFolderOpens()
    {
        const auto root = tmp("pipeline");
        copyUNetFolder(firstFixture(), root + "/unet", false);
        QDir().mkpath(root + "/scheduler");
        copyFile(QDir(firstFixture()).filePath("ddim_scheduler_config.json"), root + "/scheduler/scheduler_config.json");
        writeJson(root + "/model_index.json", {{"_class_name", "DDIMPipeline"},
                                               {"unet", {"diffusers", "UNet2DModel"}},
                                               {"scheduler", {"diffusers", "DDIMScheduler"}}});
        auto d = DiffusersDenoiser::open(root.toStdString());
        QCOMPARE(d->info().recommendedSampler, std::string("ddim"));
        // The UNet folder alone finds the pipeline's scheduler in ../scheduler.
        QCOMPARE(DiffusersDenoiser::open((root + "/unet").toStdString())->info().recommendedSampler, std::string("ddim"));
        DS_EXPECT_ERROR(DiffusersDenoiser::open((root + "/scheduler").toStdString()), "no config.json");
    }

    void noSchedulerConfigAssumesDdpm()
    {
        const auto folder = tmp("bare");
        copyUNetFolder(firstFixture(), folder, false);
        auto d = DiffusersDenoiser::open(folder.toStdString());
        const auto& info = d->info();
        QVERIFY2(info.notes.find("no scheduler_config.json found: assumed") != std::string::npos, info.notes.c_str());
        QCOMPARE(info.schedule.T, int64_t(1000));
        QCOMPARE(info.schedule.betaStart, 1e-4);
        QCOMPARE(info.schedule.betaEnd, 0.02);
        QCOMPARE(int(info.prediction), int(Prediction::Epsilon));
        QCOMPARE(info.recommendedSampler, std::string("ddpm"));
        // num_train_timesteps in the UNet config sets T.
        auto config = readJson(folder + "/config.json");
        config["num_train_timesteps"] = 400;
        writeJson(folder + "/config.json", config);
        QCOMPARE(DiffusersDenoiser::open(folder.toStdString())->info().schedule.T, int64_t(400));
    }

    void binAndHalfWeightsGiveTheSameNetwork()
    {
        const auto x = npy(firstFixture(), "fwd_x.npy").to(at::kFloat);
        const auto t = npy(firstFixture(), "fwd_t1.npy").to(at::kLong);
        const auto reference = npy(firstFixture(), "fwd_t1_out_f32.npy");

        const auto bin = tmp("bin");
        QDir().mkpath(bin);
        copyFile(QDir(firstFixture()).filePath("config.json"), bin + "/config.json");
        copyFile(QDir(firstFixture()).filePath("diffusion_pytorch_model.bin"), bin + "/diffusion_pytorch_model.bin");
        auto fromBin = DiffusersDenoiser::open(bin.toStdString());
        DS_COMPARE_TENSORS((*fromBin)(x, t), reference, kStepTol);

        const auto half = tmp("half");
        QDir().mkpath(half);
        copyFile(QDir(firstFixture()).filePath("config.json"), half + "/config.json");
        auto tensors = readSafetensors(QDir(firstFixture()).filePath("diffusion_pytorch_model.safetensors").toStdString());
        for (auto& [name, tensor] : tensors)
            tensor = tensor.to(at::kHalf);
        writeSafetensors((half + "/diffusion_pytorch_model.fp16.safetensors").toStdString(), tensors);
        auto fromHalf = DiffusersDenoiser::open(half.toStdString());
        QCOMPARE(fromHalf->info().weightsDtype, std::string("float16"));
        // Half weights carry ≈ 3 significant digits: close to, not equal to, the float32 net.
        const double diff = test::maxAbsDiff((*fromHalf)(x, t), reference);
        qInfo("float16 weights vs float32 reference: max |diff| %.3g", diff);
        QVERIFY(diff > 0 && diff < 0.05);
    }

    void damagedFoldersAreRefusedByName_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("where"); // file or folder the message must name
        QTest::addColumn<QString>("problem");
        QTest::newRow("no weights") << "no-weights" << "" << "no weights file";
        QTest::newRow("truncated safetensors") << "truncate" << "diffusion_pytorch_model.safetensors" << "truncated";
        QTest::newRow("missing tensor") << "drop-tensor" << "diffusion_pytorch_model.safetensors" << "conv_in.weight";
        QTest::newRow("shape changed in config") << "config-shape" << "diffusion_pytorch_model.safetensors" << "shape";
        QTest::newRow("other class") << "class" << "config.json" << "UNet2DConditionModel";
        QTest::newRow("no config") << "no-config" << "" << "no config.json";
        QTest::newRow("scheduler refused") << "scheduler" << "scheduler_config.json" << "variance_type";
    }
    void damagedFoldersAreRefusedByName()
    {
        QFETCH(QString, damage);
        QFETCH(QString, where);
        QFETCH(QString, problem);
        const auto folder = tmp("damaged-" + damage);
        copyUNetFolder(firstFixture(), folder);
        const auto weights = folder + "/diffusion_pytorch_model.safetensors";
        if (damage == "no-weights") {
            QFile::remove(weights);
        } else if (damage == "truncate") {
            QFile f(weights);
            QVERIFY(f.resize(f.size() / 2));
        } else if (damage == "drop-tensor") {
            auto tensors = readSafetensors(weights.toStdString());
            QVERIFY(tensors.erase("conv_in.weight") == 1);
            writeSafetensors(weights.toStdString(), tensors);
        } else if (damage == "config-shape" || damage == "class" || damage == "scheduler") {
            const auto file = folder + (damage == "scheduler" ? "/scheduler_config.json" : "/config.json");
            auto j = readJson(file);
            if (damage == "config-shape")
                j["block_out_channels"] = {32, 48};
            else if (damage == "class")
                j["_class_name"] = "UNet2DConditionModel";
            else
                j["variance_type"] = "learned_range";
            writeJson(file, j);
        } else if (damage == "no-config") {
            QFile::remove(folder + "/config.json");
        }
        const auto message = errorOf([&] { DiffusersDenoiser::open(folder.toStdString()); });
        qInfo("%s: %s", qPrintable(damage), message.c_str());
        const auto named = where.isEmpty() ? folder : QDir(folder).filePath(where);
        QVERIFY2(message.find(named.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());
    }
};

DS_TEST_SUITE(DiffusersParityTest, "diffusers_parity");
#include "test_diffusers_parity.moc"
