// core/denoisers/frozen_inference: native UNet checkpoints run a frozen TorchScript copy of their
// network, which agrees with the network as built (≤ 1e-5 of the output's scale),
// is made again after a device move, and is refused, with a note, where the network cannot be
// scripted or the copy disagrees. A live network (training previews) never freezes: its weights
// change under it. DIFFSCOPE_FREEZE=0 runs every network as built.
#include "core/denoisers/frozen_inference.h"
#include "core/denoisers/network_denoiser.h"
#include "core/io/resource_paths.h"
#include "models/registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <c10/core/GradMode.h>
#include <torch/script.h>

#include <cstdlib>
#include <stdexcept>

using namespace ds;

namespace {

struct FreezeOff { // DIFFSCOPE_FREEZE=0 for one scope
    FreezeOff() { ::setenv("DIFFSCOPE_FREEZE", "0", 1); }
    ~FreezeOff() { ::unsetenv("DIFFSCOPE_FREEZE"); }
};

size_t count(const std::string& text, const std::string& what)
{
    size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

at::Tensor asBuilt(const NetworkDenoiser& d, const at::Tensor& x, const at::Tensor& k)
{
    c10::NoGradGuard noGrad;
    return d.network()->forward(x, k);
}

} // namespace

class FrozenInferenceTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The DDPM demo's UNet: frozen at open, equal to its own network, one note after a move.
    void nativeUNetRunsItsFrozenCopy()
    {
        auto d = NetworkDenoiser::open(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        QVERIFY2(d->frozen(), d->inferenceNote().c_str());
        QVERIFY2(d->info().notes.find("inference: frozen + optimize_for_inference") != std::string::npos,
                 d->info().notes.c_str());
        QCOMPARE(d->usage().passes, 0); // the probe is not counted
        at::manual_seed(5);
        const auto x = at::randn({4, 1, 28, 28});
        const auto k = at::tensor({0L, 99L, 500L, 999L});
        const auto reference = asBuilt(*d, x, k);
        QVERIFY(reference.abs().max().item<double>() > 0.1);
        const auto out = (*d)(x, k);
        const double error = test::maxRelativeError(out, reference);
        QVERIFY2(error <= kFrozenTolerance, std::to_string(error).c_str());
        out.mul_(2.0); // an ordinary tensor: in-place updates work
        d->to(c10::kCPU);
        QVERIFY(d->frozen());
        QVERIFY(test::maxRelativeError((*d)(x, k), reference) <= kFrozenTolerance);
        QCOMPARE(count(d->info().notes, "inference: "), size_t(1));
    }

    void freezeOffRunsTheNetworkBitForBit()
    {
        FreezeOff off;
        auto d = NetworkDenoiser::open(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        QVERIFY(!d->frozen());
        QVERIFY2(d->inferenceNote().find("DIFFSCOPE_FREEZE=0") != std::string::npos, d->inferenceNote().c_str());
        const auto x = at::randn({2, 1, 28, 28});
        const auto k = at::tensor({3L, 700L});
        DS_COMPARE_TENSORS((*d)(x, k), asBuilt(*d, x, k), 0.0);
    }

    // Other network kinds (the pixel-aware pair, the toys' MLPs) run as built, with a note.
    void networksThatDoNotFreezeSayWhy()
    {
        auto pixel = NetworkDenoiser::open(resourcePath("demo/fashion_mnist_pixel_aware.dsckpt"));
        QVERIFY(!pixel->frozen());
        QVERIFY2(pixel->inferenceNote().find("only UNets") != std::string::npos, pixel->inferenceNote().c_str());
        auto mlp = NetworkDenoiser::open(resourcePath("demo/two_moons.dsckpt"));
        QVERIFY(!mlp->frozen());
        QVERIFY2(mlp->info().notes.find("inference: not frozen") != std::string::npos, mlp->info().notes.c_str());
        const auto x = at::randn({8, 2, 1, 1});
        const auto k = at::arange(8, at::kLong) * 100;
        DS_COMPARE_TENSORS((*mlp)(x, k), asBuilt(*mlp, x, k), 0.0);
    }

    // A live network (a training job's preview) is never frozen: a weight update shows at once.
    void liveNetworkFollowsItsWeights()
    {
        auto net = buildNetwork({{"kind", "unet"}, {"channels", 1}, {"base_channels", 8}, {"groups", 4}});
        auto opened = NetworkDenoiser::open(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        NetworkDenoiser live(net, opened->info());
        QVERIFY(!live.frozen());
        QVERIFY(live.inferenceNote().empty());
        const auto x = at::randn({1, 1, 28, 28});
        const auto k = at::tensor({10L});
        const auto before = live(x, k);
        {
            c10::NoGradGuard noGrad;
            for (auto& p : net->parameters())
                p.add_(0.01);
        }
        QVERIFY(test::maxAbsDiff(live(x, k), before) > 1e-4);
    }

    // freezeForInference itself: a script that throws and a copy that disagrees are refused,
    // and the note names what runs instead and why.
    void refusalsNameTheFallbackAndTheReason()
    {
        const std::array<int64_t, 3> shape{1, 4, 4};
        auto half = [](const at::Tensor& x, const at::Tensor&) { return 0.5 * x; };
        auto throwing = freezeForInference([]() -> torch::jit::Module { throw std::invalid_argument("no script for this"); },
                                           half, shape, 10, c10::kCPU, "the thing as built");
        QVERIFY(!throwing.module);
        QCOMPARE(QString::fromStdString(throwing.note),
                 QString("not frozen, running the thing as built: freezing failed: no script for this"));
        auto scripted = [] {
            torch::jit::Module m("Scaled");
            m.register_parameter("w", torch::full({1}, 0.5), false);
            m.define("def forward(self, x, t):\n    return x * self.w\n");
            m.eval();
            return m;
        };
        auto accepted = freezeForInference(scripted, half, shape, 10, c10::kCPU, "x");
        QVERIFY2(accepted.module, accepted.note.c_str());
        const auto x = at::randn({2, 1, 4, 4});
        DS_COMPARE_TENSORS(runScripted(*accepted.module, x, at::tensor({1L, 2L})), 0.5 * x, 1e-7);
        auto wrong = [](const at::Tensor& x, const at::Tensor&) { return 0.5 * x + 1e-3; };
        auto refused = freezeForInference(scripted, wrong, shape, 10, c10::kCPU, "x");
        QVERIFY(!refused.module);
        QVERIFY2(refused.note.find("differs from the reference") != std::string::npos, refused.note.c_str());
    }

    void inferenceNoteReplacesTheLastOne()
    {
        std::string notes = "step 5";
        setInferenceNote(notes, "frozen");
        setInferenceNote(notes, "not frozen");
        QCOMPARE(QString::fromStdString(notes), QString("step 5; inference: not frozen"));
        std::string empty;
        setInferenceNote(empty, "frozen");
        QCOMPARE(QString::fromStdString(empty), QString("inference: frozen"));
    }
};

DS_TEST_SUITE(FrozenInferenceTest, "frozen_inference");
#include "test_frozen_inference.moc"
