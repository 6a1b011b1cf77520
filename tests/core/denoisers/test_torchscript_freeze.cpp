// The TorchScript inference path: a loaded module is frozen and optimised for inference, agrees
// with the module as saved, and falls back to it, with a note, where freezing fails or disagrees.
#include "core/denoisers/torchscript_denoiser.h"
#include "core/export/model_export.h"
#include "core/io/resource_paths.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <torch/script.h>

#include <cstdlib>

using namespace ds;

namespace {

const char* kHeader = R"({"format": 1, "prediction": "epsilon",
  "schedule": {"kind": "linear", "T": 1000, "beta_start": 0.0001, "beta_end": 0.02},
  "shape": [1, 4, 4], "data_range": [-1, 1]})";

std::string save(const QTemporaryDir& dir, const std::string& name, const std::string& body)
{
    torch::jit::Module m("Probe");
    m.register_parameter("w", torch::full({1}, 0.5), false);
    m.register_attribute("training", c10::BoolType::get(), true); // as torch.jit.script gives every module
    m.define("def forward(self, x, t):\n" + body);
    const auto path = dir.filePath(QString::fromStdString(name)).toStdString();
    m.save(path, {{"diffscope.json", kHeader}});
    return path;
}

struct FreezeOff { // DIFFSCOPE_FREEZE=0 for one scope
    FreezeOff() { ::setenv("DIFFSCOPE_FREEZE", "0", 1); }
    ~FreezeOff() { ::unsetenv("DIFFSCOPE_FREEZE"); }
};

} // namespace

class TorchScriptFreezeTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void frozenDemoModelMatchesTheSavedModule()
    {
        const auto path = dir_.filePath("ddpm.pt").toStdString();
        exportTorchScript(resourcePath("demo/fashion_mnist_ddpm.dsckpt"), path);
        auto frozen = TorchScriptDenoiser::load(path);
        QVERIFY2(frozen->frozen(), frozen->inferenceNote().c_str());
        QVERIFY(frozen->info().notes.find("inference: frozen") != std::string::npos);
        std::unique_ptr<TorchScriptDenoiser> saved;
        {
            FreezeOff off;
            saved = TorchScriptDenoiser::load(path);
        }
        QVERIFY(!saved->frozen());
        QVERIFY(saved->info().notes.find("not frozen") != std::string::npos);
        at::manual_seed(3);
        const auto x = at::randn({5, 1, 28, 28});
        const auto k = at::tensor({0L, 10L, 250L, 700L, 999L});
        const auto a = (*frozen)(x, k), b = (*saved)(x, k);
        QVERIFY(b.abs().max().item<double>() > 0.1); // a real output, not zeros on both sides
        const double error = test::maxRelativeError(a, b);
        QVERIFY2(error <= 1e-5, std::to_string(error).c_str());
        // The output is an ordinary tensor: in-place updates after the call work.
        a.mul_(2.0);
        // A device move freezes again and still agrees.
        frozen->to(c10::kCPU);
        QVERIFY(frozen->frozen());
        QVERIFY(test::maxRelativeError((*frozen)(x, k), b) <= 1e-5);
        const auto& notes = frozen->info().notes; // one inference note, not one per freeze
        QCOMPARE(notes.find("inference: "), notes.rfind("inference: "));
    }

    void trainingModeOnlyModuleFallsBackWithANote()
    {
        // Its forward switches the module to training mode, which torch::jit::freeze refuses.
        auto d = TorchScriptDenoiser::load(save(dir_, "train.pt", "    self.training = True\n    return x * self.w\n"));
        QVERIFY(!d->frozen());
        QVERIFY2(d->info().notes.find("not frozen") != std::string::npos, d->info().notes.c_str());
        QVERIFY2(d->inferenceNote().find("freezing failed") != std::string::npos, d->inferenceNote().c_str());
        QVERIFY2(d->inferenceNote().find("eval mode") != std::string::npos, d->inferenceNote().c_str());
        const auto x = at::randn({2, 1, 4, 4});
        DS_COMPARE_TENSORS((*d)(x, at::tensor({1L, 2L})), 0.5 * x, 1e-7);
    }

    void moduleThatDisagreesWhenFrozenFallsBack()
    {
        // Not deterministic: no two calls agree, so the frozen copy fails the check.
        auto d = TorchScriptDenoiser::load(save(dir_, "noisy.pt", "    return x * self.w + torch.rand_like(x)\n"));
        QVERIFY(!d->frozen());
        QVERIFY2(d->inferenceNote().find("differs from the reference") != std::string::npos, d->inferenceNote().c_str());
    }

    void plainModuleFreezes()
    {
        auto d = TorchScriptDenoiser::load(save(dir_, "plain.pt", "    return x * self.w\n"));
        QVERIFY2(d->frozen(), d->inferenceNote().c_str());
        QCOMPARE(d->info().parameters, 1); // counted from the saved module, before freezing
        QCOMPARE(d->usage().passes, 0);    // the freezing probe is not counted
        const auto x = at::randn({3, 1, 4, 4});
        DS_COMPARE_TENSORS((*d)(x, at::tensor({1L, 2L, 3L})), 0.5 * x, 1e-7);
    }
};

DS_TEST_SUITE(TorchScriptFreezeTest, "torchscript_freeze");
#include "test_torchscript_freeze.moc"
