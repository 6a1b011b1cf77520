// Mutated checkpoints (core/io/zip_integrity + core/checkpoint): the mutants of
// tests/support/checkpoint_mutants.h (byte flips, truncations, appended junk, swapped weight
// records, and "re-zipped" damage with the zip CRC-32s rewritten: swaps, flips, lying header
// numbers) of the shipped two-moons model either fail to open with a ds::Error naming the file,
// or open and give bit for bit the original's output (a flip in slack bytes may be harmless).
// Never a crash, never another exception type, never silently different weights. The same
// mutants run under ASan/UBSan in tests/fuzz (mutant_checkpoints). Also userMessage().
#include "core/denoisers/network_denoiser.h"
#include "models/error.h"
#include "core/io/resource_paths.h"
#include "core/io/zip_integrity.h"
#include "core/user_message.h"
#include "tests/support/checkpoint_mutants.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <c10/util/Exception.h>

#include <cstdint>
#include <iostream>
#include <map>

using namespace ds;

namespace {

constexpr uint64_t kSeed = 20261201;

struct Tally {
    int refused = 0;
    int harmless = 0;
    bool mustRefuse = false;
};

} // namespace

class CheckpointMutantsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string original_;
    at::Tensor x_, k_, expected_;
    std::map<std::string, Tally> tally_;

    std::string mutantPath() const { return dir_.filePath("mutant.dsckpt").toStdString(); }

    at::Tensor outputOf(const std::string& path)
    {
        auto denoiser = NetworkDenoiser::open(path);
        return (*denoiser)(x_, k_);
    }

    // Refused with a ds::Error naming the file, or the original's output exactly.
    void write(const std::string& bytes)
    {
        QFile f(QString::fromStdString(mutantPath()));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(bytes.data(), qint64(bytes.size())), qint64(bytes.size()));
    }

    void check(const std::string& bytes, const std::string& kind, const std::string& what)
    {
        const auto path = mutantPath();
        write(bytes);
        try {
            auto out = outputOf(path);
            QVERIFY2(at::equal(out, expected_), (kind + " " + what + " opened with a different output").c_str());
            ++tally_[kind].harmless;
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, (kind + " " + what + ": " + e.what()).c_str());
            ++tally_[kind].refused;
        } catch (const std::exception& e) {
            QFAIL((kind + " " + what + ": not a ds::Error: " + e.what()).c_str());
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const auto source = resourcePath("demo/two_moons.dsckpt");
        QFile f(QString::fromStdString(source));
        QVERIFY2(f.open(QIODevice::ReadOnly), source.c_str());
        original_ = f.readAll().toStdString();
        auto denoiser = NetworkDenoiser::open(source);
        const auto& s = denoiser->info().shape;
        x_ = at::linspace(-2, 2, 8 * s[0] * s[1] * s[2]).reshape({8, s[0], s[1], s[2]});
        k_ = at::arange(0, 8, at::kLong) * (denoiser->schedule().steps() / 8);
        expected_ = (*denoiser)(x_, k_);
        QVERIFY(at::isfinite(expected_).all().item<bool>());
    }

    void originalVerifies() { verifyZipArchive(resourcePath("demo/two_moons.dsckpt")); }

    // The shipped demos carry both digests, so re-zipped damage is caught too.
    void originalHasDigests()
    {
        QVERIFY2(original_.find("header_sha256") != std::string::npos,
                 "demo/two_moons.dsckpt has no header_sha256 (re-save the demos with `diffscope-cli slim`)");
        QVERIFY(original_.find("weights_sha256") != std::string::npos);
    }

    void everyMutant()
    {
        const auto mutants = testing::checkpointMutants(original_, kSeed);
        for (const auto& m : mutants) {
            tally_[m.kind].mustRefuse = m.mustRefuse;
            check(m.bytes, m.kind, m.what);
        }
        for (const auto& [kind, t] : tally_)
            QVERIFY2(!t.mustRefuse || t.harmless == 0, (kind + ": a mutant loaded").c_str());
        for (const char* kind : {"swapped records", "re-zipped swap", "re-zipped flip", "lying header"})
            QVERIFY2(tally_[kind].refused >= 3, kind);
    }

    void namesTheBadEntry()
    {
        std::vector<testing::ZipRecord> records;
        for (const auto& r : testing::zipRecords(original_))
            if (r.name.find("/data/") != std::string::npos)
                records.push_back(r);
        auto bytes = original_;
        bytes[records[1].data + 3] = char(bytes[records[1].data + 3] ^ 0x40);
        write(bytes);
        DS_EXPECT_ERROR(verifyZipArchive(mutantPath()), "entry '" + records[1].name + "': CRC-32 mismatch");
        DS_EXPECT_ERROR(NetworkDenoiser::open(mutantPath()), mutantPath() + ": not a readable diffscope checkpoint");
        testing::rewriteCrc(bytes, records[1]); // a re-zipped copy: the CRC agrees, the digest does not
        write(bytes);
        DS_EXPECT_ERROR(NetworkDenoiser::open(mutantPath()), "weights do not match the SHA-256 in the checkpoint header");
    }

    // A damaged directory's name bytes are quoted escaped: the message stays one line.
    void escapesDamagedEntryNames()
    {
        const auto records = testing::zipRecords(original_);
        auto bytes = original_;
        bytes[records[2].central + 46] = '\n'; // the name's first byte, in the central directory
        write(bytes);
        try {
            verifyZipArchive(mutantPath());
            QFAIL("a renamed entry verified");
        } catch (const Error& e) {
            const std::string m = e.what();
            QVERIFY2(m.find('\n') == std::string::npos, m.c_str());
            QVERIFY2(m.find("entry '\\x0a" + records[2].name.substr(1) + "'") != std::string::npos, m.c_str());
        }
    }

    void userMessageIsOneLine()
    {
        try {
            TORCH_CHECK(false, "weights are bad");
        } catch (const std::exception& e) {
            QVERIFY(std::string(e.what()).find('\n') != std::string::npos); // c10 appends a backtrace
            QCOMPARE(userMessage(e), std::string("weights are bad"));
        }
        try {
            (void)at::ones({2, 3}).view({4});
            QFAIL("view should throw");
        } catch (const std::exception& e) {
            const auto m = userMessage(e);
            QVERIFY2(!m.empty() && m.find('\n') == std::string::npos && m.find("shape") != std::string::npos, m.c_str());
        }
        QCOMPARE(userMessage(std::bad_alloc()), std::string("out of memory"));
        QCOMPARE(userMessage(Error("x.pt: no such file")), std::string("x.pt: no such file"));
        QCOMPARE(firstMeaningfulLine("\n  expected ':' here:\n  File \"code.py\", line 3\n    ~~~~ <--- HERE\n"),
                 std::string("expected ':' here:"));
        QCOMPARE(firstMeaningfulLine("m.pt: forward failed: The following operation failed in the TorchScript "
                                     "interpreter.\nTraceback of TorchScript (most recent call last):\n  File "
                                     "\"code\", line 1\nRuntimeError: shape mismatch\n"),
                 std::string("m.pt: forward failed: The following operation failed in the TorchScript interpreter. "
                             "RuntimeError: shape mismatch"));
    }

    void cleanupTestCase()
    {
        int total = 0;
        for (const auto& [kind, t] : tally_) {
            std::cerr << "checkpoint_mutants: " << kind << ": " << t.refused << " refused, " << t.harmless
                      << " harmless\n";
            total += t.refused + t.harmless;
        }
        std::cerr << "checkpoint_mutants: " << total << " mutants\n";
        QVERIFY(total >= 500);
    }
};

DS_TEST_SUITE(CheckpointMutantsTest, "checkpoint_mutants");
#include "test_checkpoint_mutants.moc"
