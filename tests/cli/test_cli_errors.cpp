// Bad input to diffscope-cli: a non-zero exit (1 for bad data, 2 for bad usage), no crash,
// and one message on stderr that names the problem (and the file, where there is one).
#include "cli_test_case.h"
#include "core/io/npy.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QDir>
#include <QFile>
#include <QTest>
#include <zlib.h>

using namespace ds::test;

namespace {

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

void writeGz(const QString& path, const QByteArray& bytes)
{
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
    gzwrite(f, bytes.constData(), unsigned(bytes.size()));
    gzclose(f);
}

QByteArray idxHeader(uint8_t dims, std::initializer_list<uint32_t> sizes)
{
    QByteArray out("\0\0\x08", 3);
    out.append(char(dims));
    for (auto s : sizes)
        for (int shift : {24, 16, 8, 0})
            out.append(char(s >> shift));
    return out;
}

} // namespace

class CliErrorsTest : public CliTestCase {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        saveTorchScriptModel(p("ok.pt"), headerFor("[1, 4, 4]"));
        saveTorchScriptModel(p("noheader.pt"), "");
        saveTorchScriptModel(p("wrongshape.pt"), headerFor("[1, 4, 4]"), "return x[:, :, 1:, :]");
        writeFile(p("garbage.pt"), "this is not a model at all");
        ds::saveNpy(p("init.npy").toStdString(), at::zeros({1, 1, 3, 3}));
        // A DNM checkpoint (seed 000's δ(x_T, t) network): two steps are enough to have one.
        auto dnm = runCli({"train", "--objective", "dnm-naive", "--dataset", "two-moons", "--steps", "2", "--output-dir",
                           p("runs"), "--name", "dnm", "--network", R"({"kind":"mlp","hidden":8,"layers":1,"time_dim":4})",
                           "--preview-every", "0", "--quiet"});
        QVERIFY2(dnm.exitCode == 0, qPrintable(dnm.err));
        // A Fashion-MNIST folder whose image file is truncated and whose test file lies.
        QDir(dir_.path()).mkdir("fmnist");
        writeGz(p("fmnist/train-images-idx3-ubyte.gz"), idxHeader(3, {60000, 28, 28}) + QByteArray(1000, '\1'));
        writeGz(p("fmnist/train-labels-idx1-ubyte.gz"), idxHeader(1, {60000}) + QByteArray(60000, '\1'));
        writeGz(p("fmnist/t10k-images-idx3-ubyte.gz"), idxHeader(3, {10000, 60000, 60000}));
        writeGz(p("fmnist/t10k-labels-idx1-ubyte.gz"), idxHeader(1, {10000}) + QByteArray(10000, '\1'));
    }

    void failsCleanly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("mustSay");
        const QString sample = "sample", ckpt = "--checkpoint", out = "--out";
        QTest::newRow("missing file") << QStringList{sample, ckpt, p("absent.pt"), out, p("s.npy")} << 1
                                      << QStringList{p("absent.pt"), "no such file"};
        QTest::newRow("garbage .pt") << QStringList{sample, ckpt, p("garbage.pt"), out, p("s.npy")} << 1
                                     << QStringList{p("garbage.pt"), "not a TorchScript archive"};
        QTest::newRow(".pt without diffscope.json") << QStringList{"info", p("noheader.pt")} << 1
                                                    << QStringList{p("noheader.pt"), "no diffscope.json"};
        QTest::newRow("wrong output shape") << QStringList{sample, ckpt, p("wrongshape.pt"), out, p("s.npy")} << 1
                                            << QStringList{p("wrongshape.pt"), "does not match its input"};
        QTest::newRow("unknown sampler") << QStringList{sample, ckpt, p("ok.pt"), "--sampler", "plms", out, p("s.npy")}
                                         << 1 << QStringList{"unknown sampler 'plms'", "ddpm|ddim"};
        QTest::newRow("zero steps") << QStringList{sample, ckpt, p("ok.pt"), "--steps", "0", out, p("s.npy")} << 1
                                    << QStringList{"steps must be >= 1"};
        QTest::newRow("negative steps") << QStringList{sample, ckpt, p("ok.pt"), "--steps=-5", out, p("s.npy")} << 1
                                        << QStringList{"steps must be >= 1"};
        QTest::newRow("steps above T") << QStringList{sample, ckpt, p("ok.pt"), "--steps", "5000", out, p("s.npy")}
                                       << 1 << QStringList{"cannot exceed", "T = 1000"};
        QTest::newRow("init of wrong shape") << QStringList{sample, ckpt, p("ok.pt"), "--init", p("init.npy"), out, p("s.npy")}
                                             << 1 << QStringList{p("init.npy"), "x_T must be [N, 1, 4, 4]"};
        QTest::newRow("init not npy") << QStringList{sample, ckpt, p("ok.pt"), "--init", p("garbage.pt"), out, p("s.npy")}
                                      << 1 << QStringList{p("garbage.pt"), "bad magic"};
        QTest::newRow("dnm model, classic sampler") << QStringList{sample, ckpt, p("runs/dnm/latest.dsckpt"), "--sampler", "ddim", out, p("s.npy")}
                                                    << 1 << QStringList{"is a dnm model", "use dnm"};
        QTest::newRow("denoiser, dnm sampler") << QStringList{sample, ckpt, p("ok.pt"), "--sampler", "dnm", out, p("s.npy")}
                                               << 1 << QStringList{"needs a dnm model"};
        QTest::newRow("unknown spacing") << QStringList{sample, ckpt, p("ok.pt"), "--spacing", "fibonacci", out, p("s.npy")}
                                         << 2 << QStringList{"unknown spacing 'fibonacci'"};
        QTest::newRow("bad oracle key") << QStringList{"info", "oracle:two-moons?m=3"} << 1
                                        << QStringList{"unknown key 'm'"};
        QTest::newRow("unknown data set") << QStringList{"info", "oracle:cifar?n=3"} << 1
                                          << QStringList{"unknown data set 'cifar'"};
        QTest::newRow("no cuda") << QStringList{sample, ckpt, p("ok.pt"), "--device", "cuda", out, p("s.npy")} << 1
                                 << QStringList{"cuda"};
        QTest::newRow("unwritable output") << QStringList{sample, ckpt, p("ok.pt"), "--steps", "2", out, "/nonexistent/dir/s.npy"}
                                           << 1 << QStringList{"/nonexistent/dir/s.npy"};
        QTest::newRow("missing required option") << QStringList{sample, out, p("s.npy")} << 2
                                                 << QStringList{"--checkpoint"};
        QTest::newRow("unknown command") << QStringList{"paint"} << 2 << QStringList{"paint"};
        QTest::newRow("no command") << QStringList{} << 2 << QStringList{"Subcommands:"};
        QTest::newRow("not a number") << QStringList{sample, ckpt, p("ok.pt"), "--steps", "many"} << 2
                                      << QStringList{"many"};
    }
    void failsCleanly()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QStringList, mustSay);
        auto r = runCli(args);
        QVERIFY2(!r.crashed, qPrintable("crashed: " + r.err));
        QVERIFY2(r.exitCode == exitCode, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
        for (const auto& text : mustSay)
            QVERIFY2(r.err.contains(text), qPrintable("stderr lacks '" + text + "': " + r.err));
        QVERIFY2(!r.err.contains("Exception raised from"), "a LibTorch backtrace leaked into the message");
    }

    // JSON read from outside (issue 14's audit): a truncated file or a field of the wrong type is
    // one line naming the file and the field.
    void badJsonIsNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("mustSay");
        writeFile(p("lr_text.json"), "{\"dataset\": \"two-moons\", \"lr\": \"fast\"}");
        writeFile(p("cut_config.json"), "{\"dataset\": \"two-moons\", \"st");
        writeFile(p("cut.manifest.json"), "{\"format\": \"diffscope-manifest\", \"version\": 1, \"prog");
        writeFile(p("typed.manifest.json"), "{\"format\": \"diffscope-manifest\", \"version\": 1, \"program\": 5}");
        saveTorchScriptModel(p("dataset_number.pt"), "{\"format\": 1, \"prediction\": \"epsilon\", \"schedule\": "
                                                     "{\"kind\": \"linear\", \"T\": 1000}, \"shape\": [1, 4, 4], \"dataset\": 5}");
        QTest::newRow("training config, wrong type") << QStringList{"train", "--config", p("lr_text.json")}
                                                     << QStringList{p("lr_text.json"), "lr must be a number, not \"fast\""};
        QTest::newRow("training config, truncated") << QStringList{"train", "--config", p("cut_config.json")}
                                                    << QStringList{p("cut_config.json"), "not valid JSON"};
        QTest::newRow("network, wrong type") << QStringList{"train", "--dataset", "two-moons", "--steps", "1", "--output-dir",
                                                            p("runs"), "--name", "typed", "--network",
                                                            "{\"kind\": \"mlp\", \"hidden\": \"8\"}", "--quiet"}
                                             << QStringList{"mlp config: hidden must be an integer"};
        QTest::newRow("manifest, truncated") << QStringList{"replay", p("cut.manifest.json")}
                                             << QStringList{p("cut.manifest.json"), "not valid JSON"};
        QTest::newRow("manifest, wrong type") << QStringList{"replay", p("typed.manifest.json")}
                                              << QStringList{p("typed.manifest.json"), "program must be a string"};
        QTest::newRow("diffscope.json, wrong type") << QStringList{"info", p("dataset_number.pt")}
                                                    << QStringList{p("dataset_number.pt"), "dataset must be a string"};
    }
    void badJsonIsNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, mustSay);
        auto r = runCli(args);
        QVERIFY2(!r.crashed, qPrintable("crashed: " + r.err));
        QVERIFY2(r.exitCode == 1, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
        for (const auto& text : mustSay)
            QVERIFY2(r.err.contains(text), qPrintable("stderr lacks '" + text + "': " + r.err));
        QVERIFY2(r.err.trimmed().count('\n') == 0, qPrintable("more than one line: " + r.err));
        QVERIFY2(!r.err.contains("json.exception"), qPrintable("nlohmann's exception leaked: " + r.err));
    }

    void damagedFashionMnistIsNamed_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("mustSay");
        QTest::newRow("truncated") << "oracle:fashion-mnist?n=10" << "truncated IDX data";
        QTest::newRow("lying header") << "oracle:fashion-mnist-test?n=10" << "implausible IDX dimension";
    }
    void damagedFashionMnistIsNamed()
    {
        QFETCH(QString, spec);
        QFETCH(QString, mustSay);
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("DIFFSCOPE_FASHION_MNIST_DIR", p("fmnist"));
        auto r = runCli({"info", spec}, env);
        QVERIFY2(!r.crashed, qPrintable(r.err));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(mustSay) && r.err.contains(p("fmnist")), qPrintable(r.err));
    }
};

DS_TEST_SUITE(CliErrorsTest, "cli_errors");
#include "test_cli_errors.moc"
