// models/diffusers_unet, the numbers: the LibTorch UNet2DModel against diffusers' own outputs for
// every UNet2DModel folder under the fixtures (built from its config.json, never from assumptions),
// against golden checksums of diffusers v0.27.2 for the options fixture A does not use, exact
// identities between configs that share weights, and half-precision folders on CPU.
// Weight maps: test_diffusers_unet_weights.cpp; configs and inputs: …_config.cpp; export: …_script.cpp.
#include "core/denoisers/diffusers_model.h"
#include "core/io/npy.h"
#include "core/io/safetensors.h"
#include "diffusers_unet_fixtures.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unistd.h>

using namespace ds;
using namespace ds::test::unet;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Weights from a closed formula, tensor j in name order, k its flat index:
//   norm weights 1 + 0.2 sin(0.37k + 1.3j); other 1-D 0.2 sin(…); ≥ 2-D sin(…) · 1.5/√fan_in.
void setFormulaWeights(DiffusersUNet2D& net)
{
    c10::NoGradGuard noGrad;
    int64_t j = 0;
    for (const auto& [name, p] : diffusersStateDict(net)) {
        const at::Tensor s = at::sin(at::arange(p.numel(), at::kDouble) * 0.37 + 1.3 * double(j++));
        const bool normWeight = name.find("norm") != std::string::npos && name.size() > 7 &&
                                name.compare(name.size() - 7, 7, ".weight") == 0;
        const at::Tensor v = p.dim() >= 2 ? s * (1.5 / std::sqrt(double(p.numel() / p.size(0))))
                             : normWeight ? 1.0 + 0.2 * s
                                          : 0.2 * s;
        p.copy_(v.reshape(p.sizes()));
    }
}

} // namespace

class DiffusersUNetTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { requireUNetFolders(); }

    void matchesDiffusersForward_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("input");   // fwd_tK.npy
        QTest::addColumn<bool>("float64");
        for (const auto& folder : unetFolders())
            for (const auto& entry : fs::directory_iterator(folder)) {
                const std::string name = entry.path().filename().string();
                if (name.rfind("fwd_t", 0) != 0 || name.find("_out_") != std::string::npos)
                    continue;
                for (bool f64 : {false, true}) {
                    const std::string stem = name.substr(0, name.size() - 4);
                    if (!fs::exists(folder / (stem + (f64 ? "_out_f64.npy" : "_out_f32.npy"))))
                        continue;
                    const std::string row = folder.filename().string() + "/" + stem + (f64 ? "/f64" : "/f32");
                    QTest::newRow(row.c_str()) << QString::fromStdString(folder.string())
                                               << QString::fromStdString(stem) << f64;
                }
            }
    }
    void matchesDiffusersForward()
    {
        QFETCH(QString, folder);
        QFETCH(QString, input);
        QFETCH(bool, float64);
        const fs::path dir = folder.toStdString();
        const std::string stem = input.toStdString();
        auto net = loadedNet(dir);
        at::Tensor x = loadNpy((dir / "fwd_x.npy").string());
        if (float64) {
            net->to(at::kDouble);
            x = x.to(at::kDouble);
        }
        const at::Tensor ref = loadNpy((dir / (stem + (float64 ? "_out_f64.npy" : "_out_f32.npy"))).string());
        const at::Tensor out = run(net, x, loadNpy((dir / (stem + ".npy")).string()));
        QVERIFY(out.scalar_type() == (float64 ? at::kDouble : at::kFloat));
        const double scale = ref.abs().max().item<double>();
        qInfo("%s %s: max|Δ| = %.3g, max|ref| = %.3g", stem.c_str(), float64 ? "f64" : "f32",
              test::maxAbsDiff(out, ref), scale);
        DS_COMPARE_TENSORS(out, ref, kRelTol * scale);
    }

    // The network output of every step of the recorded DDIM/DDPM loops, from the loops' own states.
    void matchesDiffusersLoopOutputs()
    {
        int checked = 0;
        const std::string suffix = "_model_out_f32.npy";
        for (const auto& dir : unetFolders()) {
            for (const auto& entry : fs::directory_iterator(dir)) {
                const std::string name = entry.path().filename().string();
                if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
                    continue;
                const std::string loop = name.substr(0, name.size() - suffix.size()); // "ddim10", …
                if (!fs::exists(dir / (loop + "_timesteps.npy")) || !fs::exists(dir / (loop + "_traj_f32.npy")))
                    continue;
                auto net = loadedNet(dir);
                const at::Tensor steps = loadNpy((dir / (loop + "_timesteps.npy")).string());
                const at::Tensor outs = loadNpy((dir / (loop + "_model_out_f32.npy")).string());
                const at::Tensor traj = loadNpy((dir / (loop + "_traj_f32.npy")).string());
                for (int64_t i = 0; i < steps.size(0); ++i) {
                    // traj holds the start state first when it has one entry more than the loop.
                    const bool withStart = traj.size(0) == steps.size(0) + 1;
                    const at::Tensor x = withStart ? traj[i] : i == 0 ? loadNpy((dir / "xT.npy").string()) : traj[i - 1];
                    if (withStart && i == 0 && fs::exists(dir / "xT.npy"))
                        DS_COMPARE_TENSORS(x, loadNpy((dir / "xT.npy").string()), 0.0);
                    const at::Tensor ref = outs[i];
                    DS_COMPARE_TENSORS(run(net, x, steps[i]), ref, kRelTol * ref.abs().max().item<double>());
                    ++checked;
                }
            }
        }
        QVERIFY(checked > 0);
    }

    // Golden values of diffusers v0.27.2's own UNet2DModel (PyTorch 1.13.1, CPU) for variants of
    // the small config, formula weights (setFormulaWeights) and x = sin(0.1k + 0.5) [2, C, 8, 8]
    // rounded to float32, t = [3, 700] (σ = [0.5, 20] for fourier): parameter count, Σ out,
    // Σ |out|, Σ out·cos(0.3k). In float64 (some variants are too ill-conditioned in float32 for a
    // sharp check; diffusers keeps the embedding and the softmax in float32 even then), except
    // with Skip blocks, whose FIR kernels diffusers only runs in float32.
    void matchesDiffusersGoldenValues_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<qint64>("parameters");
        QTest::addColumn<double>("sum");
        QTest::addColumn<double>("absSum");
        QTest::addColumn<double>("cosSum");
        auto row = [](const char* name, const char* patch, qint64 n, double sum, double absSum, double cosSum) {
            QTest::newRow(name) << QString(patch) << n << sum << absSum << cosSum;
        };
        row("base", R"({})", 177138, -37.7988239361, 230.153434178, -3.07167776201);
        row("scale_shift", R"({"resnet_time_scale_shift": "scale_shift"})", 190594, -41.3854635504, 346.304389788, 0.000321462619469);
        row("scale_shift, mid attn groups", R"({"resnet_time_scale_shift": "scale_shift", "attn_norm_num_groups": 8})", 190658, -26.5105748613, 643.332901292, 0.868164587766);
        row("resnet down/up", R"({"downsample_type": "resnet", "upsample_type": "resnet"})", 188594, -36.2379855266, 196.798919577, 3.27234265439);
        row("resnet blocks", R"({"down_block_types": ["ResnetDownsampleBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "ResnetUpsampleBlock2D"]})", 180562, -30.9881085722, 369.413884623, -3.55552173195);
        row("fourier", R"({"time_embedding_type": "fourier"})", 178178, -55.8845473944, 272.869504352, -3.26322552044);
        row("learned", R"({"time_embedding_type": "learned", "num_train_timesteps": 1000})", 193138, -55.656508927, 309.242400184, -2.57661131558);
        row("no mid attention", R"({"add_attention": false})", 172850, -34.1915962016, 264.923236463, 0.772467532331);
        row("padding 0, mish, 3 layers", R"({"downsample_padding": 0, "act_fn": "mish", "layers_per_block": 3})", 328530, -19.9331037658, 333.660975161, 5.08013565333);
        row("gelu, shift 1, sin first", R"({"act_fn": "gelu", "block_out_channels": [24, 32], "freq_shift": 1, "flip_sin_to_cos": false})", 224794, 45.942099373, 100.58482977, 2.36742810539);
        row("attn groups, mid scale, one head", R"({"attn_norm_num_groups": 4, "mid_block_scale_factor": 1.41421356, "attention_head_dim": null})", 177138, -37.0803856939, 262.748778059, -2.85898385389);
        row("skip blocks (float32)", R"({"in_channels": 3, "out_channels": 3, "block_out_channels": [32, 64], "down_block_types": ["SkipDownBlock2D", "AttnSkipDownBlock2D"], "up_block_types": ["AttnSkipUpBlock2D", "SkipUpBlock2D"]})", 751878, -75.2893216833, 88.7669627443, 2.01456181619);
        row("ncsnpp-like (float32)", R"({"in_channels": 3, "out_channels": 3, "block_out_channels": [32, 64, 64], "time_embedding_type": "fourier", "resnet_time_scale_shift": "scale_shift", "layers_per_block": 2, "down_block_types": ["SkipDownBlock2D", "AttnSkipDownBlock2D", "SkipDownBlock2D"], "up_block_types": ["SkipUpBlock2D", "AttnSkipUpBlock2D", "SkipUpBlock2D"]})", 1910857, 175.476868609, 213.703333133, -36.4865410145);
        row("3 levels, centred, relu", R"({"block_out_channels": [16, 16, 32], "down_block_types": ["AttnDownBlock2D", "DownBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "UpBlock2D", "AttnUpBlock2D"], "center_input_sample": true, "act_fn": "relu", "norm_eps": 1e-06})", 208098, -43.8287233196, 141.10624845, -4.51863517546);
    }
    void matchesDiffusersGoldenValues()
    {
        QFETCH(QString, patch);
        QFETCH(qint64, parameters);
        QFETCH(double, sum);
        QFETCH(double, absSum);
        QFETCH(double, cosSum);
        const auto config = DiffusersUNetConfig::fromJson(patched(smallConfig(), patch.toStdString()), "golden");
        DiffusersUNet2D net(config);
        QCOMPARE(parameterCount(net), int64_t(parameters));
        setFormulaWeights(net);
        const bool float64 = !patch.contains("Skip");
        if (float64)
            net->to(at::kDouble);
        const int64_t c = config.inChannels;
        const at::Tensor x = at::sin(at::arange(2 * c * 8 * 8, at::kDouble) * 0.1 + 0.5).reshape({2, c, 8, 8}).to(at::kFloat);
        const at::Tensor t = config.timeEmbeddingType == "fourier" ? at::tensor({0.5, 20.0}, at::kFloat) : at::tensor({3, 700}, at::kLong);
        const at::Tensor out = run(net, x, t).to(at::kDouble).flatten();
        const double got[3] = {out.sum().item<double>(), out.abs().sum().item<double>(),
                               (out * at::cos(at::arange(out.numel(), at::kDouble) * 0.3)).sum().item<double>()};
        const double want[3] = {sum, absSum, cosSum};
        const double tol = (float64 ? 1e-6 : 1e-5) * absSum; // float64: diffusers' float32 embedding and softmax
        double worst = 0;
        for (int i = 0; i < 3; ++i)
            worst = std::max(worst, std::abs(got[i] - want[i]) / absSum);
        qInfo("max |checksum − diffusers| / Σ|out| = %.2g", worst);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(got[i] - want[i]) <= tol,
                     qPrintable(QString("checksum %1: %2 vs diffusers %3").arg(i).arg(got[i], 0, 'g', 9).arg(want[i], 0, 'g', 9)));
    }

    // Exact identities between configs that share weights.
    void identitiesBetweenConfigs()
    {
        const fs::path dir = unetFolders().front();
        const auto weights = readWeights(dir);
        const json base = readJson(dir / "config.json");
        const int64_t side = int64_t(2) << (base["block_out_channels"].size() - 1); // one halving per level
        const at::Tensor x = at::randn({2, base.value("in_channels", int64_t(3)), std::max<int64_t>(side, 16), std::max<int64_t>(side, 16)});
        const at::Tensor t = at::tensor({10, 700}, at::kLong);
        auto netWith = [](const json& config, const std::map<std::string, at::Tensor>& state) {
            DiffusersUNet2D net(DiffusersUNetConfig::fromJson(config, "patched"));
            loadDiffusersWeights(net, state, "weights");
            return net;
        };
        auto plain = netWith(base, weights);
        const at::Tensor out = run(plain, x, t);
        // center_input_sample: f(x) = g(2x − 1).
        auto centered = netWith(patched(base, R"({"center_input_sample": true})"), weights);
        DS_COMPARE_TENSORS(run(centered, x, t), run(plain, 2 * x - 1, t), 0.0);
        // One timestep broadcasts over the batch like a repeated one; float steps equal integer ones.
        DS_COMPARE_TENSORS(run(plain, x, at::tensor({700}, at::kLong)), run(plain, x, at::tensor({700, 700}, at::kLong)), 0.0);
        DS_COMPARE_TENSORS(run(plain, x, t.to(at::kFloat)), out, 0.0);
        // Each sample depends on its own t only, and on it.
        DS_COMPARE_TENSORS(run(plain, x.flip(0), t.flip(0)).flip(0), out, 1e-5 * out.abs().max().item<double>());
        QVERIFY(test::maxAbsDiff(run(plain, x, t.flip(0)), out) > 1e-4);
        // Heads split the channels (small config, 32-channel attention): head_dim null is one head
        // of all 32 channels, as head_dim 32; 4 heads of 8 compute something else.
        DiffusersUNet2D small(DiffusersUNetConfig::fromJson(smallConfig(), "small"));
        const auto state = diffusersStateDict(small);
        const at::Tensor xs = at::randn({2, 2, 8, 8});
        const at::Tensor fourHeads = run(small, xs, t);
        auto oneHead = netWith(patched(smallConfig(), R"({"attention_head_dim": null})"), state);
        auto wideHead = netWith(patched(smallConfig(), R"({"attention_head_dim": 32})"), state);
        DS_COMPARE_TENSORS(run(oneHead, xs, t), run(wideHead, xs, t), 0.0);
        QVERIFY(test::maxAbsDiff(run(oneHead, xs, t), fourHeads) > 1e-6);
    }

    // Half-precision folders open on CPU in float32: the network equals a float32 one built from
    // the rounded weights (widened at load, streamed tensor by tensor into the parameters).
    void halfWeightsRunInFloat32OnCpu_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("name");
        QTest::newRow("F16") << int(at::kHalf) << "float16";
        QTest::newRow("BF16") << int(at::kBFloat16) << "bfloat16";
    }
    void halfWeightsRunInFloat32OnCpu()
    {
        QFETCH(int, dtype);
        QFETCH(QString, name);
        const fs::path source = unetFolders().front();
        const fs::path folder = fs::temp_directory_path() / ("ds_half_" + name.toStdString() + "_" + std::to_string(::getpid()));
        fs::create_directories(folder);
        fs::copy_file(source / "config.json", folder / "config.json", fs::copy_options::overwrite_existing);
        auto weights = readWeights(source);
        for (auto& [key, tensor] : weights)
            tensor = tensor.to(at::ScalarType(dtype));
        writeSafetensors((folder / "diffusion_pytorch_model.safetensors").string(), weights);
        auto model = DiffusersDenoiser::open(folder.string());
        QCOMPARE(QString::fromStdString(model->info().weightsDtype), name);
        for (const auto& p : model->network()->parameters())
            QCOMPARE(p.scalar_type(), at::kFloat);
        DiffusersUNet2D rounded(configOf(source));
        loadDiffusersWeights(rounded, weights, "rounded"); // widened by copy_
        rounded->eval();
        const auto& shape = model->info().shape;
        const at::Tensor x = at::randn({2, shape[0], shape[1], shape[2]}), t = at::tensor({3, 900}, at::kLong);
        const at::Tensor out = (*model)(x, t);
        QCOMPARE(out.scalar_type(), at::kFloat);
        DS_COMPARE_TENSORS(out, run(rounded, x, t), 0.0);
        fs::remove_all(folder);
    }
};

DS_TEST_SUITE(DiffusersUNetTest, "diffusers_unet");
#include "test_diffusers_unet.moc"
