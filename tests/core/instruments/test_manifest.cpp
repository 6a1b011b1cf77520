// Manifests: SHA-256 against the FIPS 180-4 test vectors, the JSON round trip, bad manifests
// refused by name, and checkpoint digests of files, folders and oracle specs.
#include "core/instruments/manifest.h"
#include "core/io/sha256.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <fstream>

using namespace ds;

class ManifestTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string p(const char* name) const { return dir_.filePath(name).toStdString(); }

private Q_SLOTS:
    void sha256MatchesTheStandardVectors()
    {
        QCOMPARE(sha256Hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // One million 'a', fed in uneven pieces: the block boundaries must not matter.
        Sha256 h;
        const std::string piece(997, 'a');
        size_t left = 1000000;
        while (left > 0) {
            const size_t n = std::min(left, piece.size());
            h.update(piece.data(), n);
            left -= n;
        }
        QCOMPARE(h.hexDigest(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        std::ofstream(p("abc.bin"), std::ios::binary) << "abc";
        QCOMPARE(sha256File(p("abc.bin")), sha256Hex("abc"));
        DS_EXPECT_ERROR(sha256File(p("missing.bin")), "missing.bin");
    }

    void jsonRoundTrip()
    {
        Manifest m;
        m.program = "diffscope-cli 0.1.0";
        m.commandLine = {"diffscope-cli", "sample", "--out", "a.npy"};
        m.workingDirectory = "/tmp";
        m.command = "sample";
        m.settings = {{"seed", 3}, {"grid", {999, 500, 0}}};
        m.checkpoint = "oracle:gaussian";
        m.device = "cpu";
        m.libtorch = libtorchVersion();
        m.outputs = {{"--out", "", "a.npy", sha256Hex("x")}, {"--trajectory", ".t", "t.t.npy", sha256Hex("y")}};
        saveManifest(p("m.json"), m);
        auto back = loadManifest(p("m.json"));
        QCOMPARE(toJson(back).dump(), toJson(m).dump());
        QCOMPARE(back.outputs[1].suffix, std::string(".t"));
        QCOMPARE(manifestPathFor("out.npy"), std::string("out.npy.manifest.json"));

        std::ofstream(p("bad.json")) << R"({"format": "something-else"})";
        DS_EXPECT_ERROR(loadManifest(p("bad.json")), "not a diffscope manifest");
        auto j = toJson(m);
        j.erase("outputs");
        DS_EXPECT_ERROR(manifestFromJson(j, "x.json"), "x.json");
    }

    void checkpointDigests()
    {
        std::ofstream(p("model.pt"), std::ios::binary) << "weights";
        QCOMPARE(checkpointDigest(p("model.pt")), sha256Hex("weights"));
        QCOMPARE(checkpointDigest(p("model.pt") + "?scheduler_config=x.json"), sha256Hex("weights"));
        QCOMPARE(checkpointDigest("oracle:gaussian?std=0.3"), std::string());
        // A folder: its files' names and contents; a changed file changes it.
        QDir(QString::fromStdString(p(""))).mkpath("folder/unet");
        std::ofstream(p("folder/unet/config.json")) << "{}";
        std::ofstream(p("folder/model_index.json")) << "{\"a\": 1}";
        const auto before = checkpointDigest(p("folder"));
        QCOMPARE(before.size(), size_t(64));
        std::ofstream(p("folder/unet/config.json")) << "{ }";
        QVERIFY(checkpointDigest(p("folder")) != before);
    }
};

DS_TEST_SUITE(ManifestTest, "manifest");
#include "test_manifest.moc"
