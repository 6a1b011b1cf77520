// TorchScript models: a module built and saved here loads, predicts and converts; damaged,
// incomplete, forged and wrong-shape files fail with a message naming the file.
#include "core/denoisers/torchscript_denoiser.h"
#include "models/error.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <torch/script.h>

#include <fstream>

using namespace ds;

namespace {

const char* kHeader = R"({"format": 1, "prediction": "epsilon",
  "schedule": {"kind": "linear", "T": 1000, "beta_start": 0.0001, "beta_end": 0.02},
  "shape": [1, 4, 4], "data_range": [-1, 1]})";

// ε̂(x, t) = w·x + b·t, small enough to check by hand.
torch::jit::Module affineModule(const char* body = "return x * self.w + t.float().view(-1, 1, 1, 1) * self.b")
{
    torch::jit::Module m("Affine");
    m.register_parameter("w", torch::full({1}, 0.5), false);
    m.register_parameter("b", torch::full({1}, 0.001), false);
    m.define(std::string("def forward(self, x, t):\n    ") + body + "\n");
    return m;
}

std::string save(const QTemporaryDir& dir, const std::string& name, torch::jit::Module m, const std::string& header)
{
    const auto path = dir.filePath(QString::fromStdString(name)).toStdString();
    torch::jit::ExtraFilesMap extra;
    if (!header.empty())
        extra["diffscope.json"] = header;
    m.save(path, extra);
    return path;
}

std::string writeBytes(const QTemporaryDir& dir, const std::string& name, const std::string& bytes)
{
    const auto path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

class TorchScriptDenoiserTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void validModuleLoadsAndPredicts()
    {
        auto d = TorchScriptDenoiser::load(save(dir_, "ok.pt", affineModule(), kHeader));
        QCOMPARE(int(d->info().prediction), int(Prediction::Epsilon));
        QCOMPARE(d->info().shape, (std::array<int64_t, 3>{1, 4, 4}));
        QCOMPARE(d->info().parameters, 2);
        auto x = at::randn({3, 1, 4, 4});
        auto k = at::tensor({0L, 10L, 999L});
        auto expected = 0.5 * x + 0.001 * k.to(at::kFloat).view({-1, 1, 1, 1});
        DS_COMPARE_TENSORS((*d)(x, k), expected, 1e-6);
        auto e = d->estimate(x, k);
        const double abar = d->schedule().alphaBarAt(10);
        DS_COMPARE_TENSORS(e.x0[1], (x[1] - std::sqrt(1 - abar) * e.eps[1]) / std::sqrt(abar), 1e-4);
        QCOMPARE(d->usage().passes, 2); // the load probe is not counted
    }

    void missingHeaderIsNamed()
    {
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(save(dir_, "bare.pt", affineModule(), "")),
                        "has no diffscope.json extra file");
    }

    void badHeadersAreNamed_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "{format: 1" << "not valid JSON";
        QTest::newRow("format 2") << R"({"format": 2})" << "format 2 is not supported";
        QTest::newRow("prediction") << R"({"format": 1, "prediction": "score"})" << "unknown prediction type 'score'";
        QTest::newRow("schedule") << R"({"format": 1, "prediction": "x0", "schedule": {"kind": "linear", "T": -4}})"
                                  << "T must be in";
        QTest::newRow("shape") << R"({"format": 1, "prediction": "v", "schedule": {"kind": "cosine", "T": 10},
                                     "shape": [1, 4]})" << "\"shape\" must be [C, H, W]";
    }
    void badHeadersAreNamed()
    {
        QFETCH(QString, header);
        QFETCH(QString, message);
        const auto path = save(dir_, "header.pt", affineModule(), header.toStdString());
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(path), message.toStdString());
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(path), path);
    }

    void damagedFilesAreRejected()
    {
        const auto good = readBytes(save(dir_, "src.pt", affineModule(), kHeader));
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(dir_.filePath("absent.pt").toStdString()), "no such file");
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(writeBytes(dir_, "garbage.pt", "hello, not a model")),
                        "no zip header");
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(writeBytes(dir_, "half.pt", good.substr(0, good.size() / 2))),
                        "not a loadable TorchScript module");
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(writeBytes(dir_, "zipjunk.pt", "PK\x03\x04" + std::string(500, 'x'))),
                        "not a loadable TorchScript module");
    }

    void wrongOutputShapeIsRejected()
    {
        auto m = affineModule("return x[:, :, :-1, :] * self.w + self.b");
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(save(dir_, "crop.pt", m, kHeader)), "does not match its input");
    }

    void inputTheModelCannotTakeIsRejected()
    {
        auto m = affineModule("return x.view(-1, 3, 4, 4) * self.w");
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(save(dir_, "channels.pt", m, kHeader)), "forward failed");
    }

    void nonFiniteWeightsAreRejected()
    {
        auto m = affineModule();
        m.register_parameter("w", torch::full({1}, std::nan("")), false);
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(save(dir_, "nan.pt", m, kHeader)), "holds NaN or Inf");
    }

    void tensorLargerThanItsRecordIsRejected()
    {
        // A forged file: the pickle says 4096 elements, the data record holds one. LibTorch
        // loads it and would read past the buffer at the first forward pass.
        auto m = affineModule();
        auto w = torch::full({1}, 0.5);
        w.unsafeGetTensorImpl()->set_sizes_contiguous({4096});
        m.register_parameter("w", w, false);
        DS_EXPECT_ERROR(TorchScriptDenoiser::load(save(dir_, "forged.pt", m, kHeader)), "truncated or forged");
    }
};

DS_TEST_SUITE(TorchScriptDenoiserTest, "torchscript_denoiser");
#include "test_torchscript_denoiser.moc"
