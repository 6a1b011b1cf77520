// Mutated checkpoints (core/io/zip_integrity + core/checkpoint): every single and double byte
// flip, truncation, appended junk and swap of two equal-size weight records of the shipped
// two-moons model either fails to open with a ds::Error naming the file, or opens and gives
// bit for bit the original's output (a flip in slack bytes may be harmless). Never a crash,
// never another exception type, never silently different weights. Also userMessage().
#include "core/denoisers/network_denoiser.h"
#include "core/error.h"
#include "core/io/resource_paths.h"
#include "core/io/zip_integrity.h"
#include "core/user_message.h"
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
#include <random>

using namespace ds;

namespace {

constexpr uint64_t kSeed = 20261201;

uint32_t le32(const QByteArray& b, qsizetype at)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = v << 8 | uint8_t(b[at + i]);
    return v;
}
uint16_t le16(const QByteArray& b, qsizetype at) { return uint16_t(uint8_t(b[at]) | uint8_t(b[at + 1]) << 8); }

struct Record {
    QByteArray name;
    qsizetype data = 0; // offset of the stored bytes
    qsizetype size = 0;
};

// The weight records archive/data/N, located through the central directory (a reader
// independent of the one under test; 32-bit fields suffice for this small file).
std::vector<Record> weightRecords(const QByteArray& bytes)
{
    const auto end = bytes.lastIndexOf(QByteArray("PK\x05\x06", 4));
    const int count = le16(bytes, end + 10);
    qsizetype pos = le32(bytes, end + 16);
    std::vector<Record> out;
    for (int i = 0; i < count; ++i) {
        const int nameLen = le16(bytes, pos + 28), extraLen = le16(bytes, pos + 30), commentLen = le16(bytes, pos + 32);
        Record r{bytes.mid(pos + 46, nameLen), 0, qsizetype(le32(bytes, pos + 20))};
        const qsizetype local = le32(bytes, pos + 42);
        r.data = local + 30 + le16(bytes, local + 26) + le16(bytes, local + 28);
        if (r.name.contains("/data/") && le16(bytes, pos + 10) == 0)
            out.push_back(r);
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return out;
}

struct Tally {
    int refused = 0;
    int harmless = 0;
};

} // namespace

class CheckpointMutantsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QByteArray original_;
    at::Tensor x_, k_, expected_;
    std::map<std::string, Tally> tally_;

    std::string mutantPath() const { return dir_.filePath("mutant.dsckpt").toStdString(); }

    at::Tensor outputOf(const std::string& path)
    {
        auto denoiser = NetworkDenoiser::open(path);
        return (*denoiser)(x_, k_);
    }

    // Refused with a ds::Error naming the file, or the original's output exactly.
    void check(const QByteArray& bytes, const std::string& kind, const std::string& what)
    {
        const auto path = mutantPath();
        {
            QFile f(QString::fromStdString(path));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(f.write(bytes), bytes.size());
        }
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
        original_ = f.readAll();
        auto denoiser = NetworkDenoiser::open(source);
        const auto& s = denoiser->info().shape;
        x_ = at::linspace(-2, 2, 8 * s[0] * s[1] * s[2]).reshape({8, s[0], s[1], s[2]});
        k_ = at::arange(0, 8, at::kLong) * (denoiser->schedule().steps() / 8);
        expected_ = (*denoiser)(x_, k_);
        QVERIFY(at::isfinite(expected_).all().item<bool>());
    }

    void originalVerifies() { verifyZipArchive(resourcePath("demo/two_moons.dsckpt")); }

    void byteFlips()
    {
        std::mt19937_64 rng(kSeed);
        std::uniform_int_distribution<qsizetype> offset(0, original_.size() - 1);
        std::uniform_int_distribution<int> mask(1, 255);
        for (int i = 0; i < 250; ++i) {
            auto bytes = original_;
            const auto at = offset(rng);
            bytes[at] = char(bytes[at] ^ mask(rng));
            check(bytes, "single flip", "at " + std::to_string(at));
        }
        for (int i = 0; i < 150; ++i) {
            auto bytes = original_;
            const auto a = offset(rng), b = offset(rng);
            bytes[a] = char(bytes[a] ^ mask(rng));
            bytes[b] = char(bytes[b] ^ mask(rng));
            check(bytes, "double flip", "at " + std::to_string(a) + "," + std::to_string(b));
        }
    }

    void truncationsAndJunk()
    {
        std::mt19937_64 rng(kSeed + 1);
        std::uniform_int_distribution<qsizetype> length(0, original_.size() - 1);
        for (int i = 0; i < 80; ++i) {
            const auto n = i < 4 ? original_.size() - 1 - i : length(rng); // the last bytes, then anywhere
            check(original_.left(n), "truncation", "to " + std::to_string(n));
        }
        std::uniform_int_distribution<int> junkLength(1, 4096), byte(0, 255);
        for (int i = 0; i < 40; ++i) {
            auto bytes = original_;
            const int n = i == 0 ? 1 : junkLength(rng);
            for (int j = 0; j < n; ++j)
                bytes.append(char(byte(rng)));
            check(bytes, "appended junk", std::to_string(n) + " bytes");
        }
        QCOMPARE(tally_["truncation"].harmless, 0);
        QCOMPARE(tally_["appended junk"].harmless, 0);
    }

    // Each record keeps its own name and CRC in the directory, so swapped contents must fail.
    void swappedWeightRecords()
    {
        const auto records = weightRecords(original_);
        QVERIFY(records.size() >= 4);
        int pairs = 0;
        for (size_t i = 0; i < records.size(); ++i)
            for (size_t j = i + 1; j < records.size(); ++j) {
                const auto& a = records[i];
                const auto& b = records[j];
                if (a.size != b.size || original_.mid(a.data, a.size) == original_.mid(b.data, b.size))
                    continue;
                auto bytes = original_;
                bytes.replace(a.data, a.size, original_.mid(b.data, b.size));
                bytes.replace(b.data, b.size, original_.mid(a.data, a.size));
                check(bytes, "swapped records", (a.name + " <-> " + b.name).toStdString());
                ++pairs;
            }
        QVERIFY(pairs >= 3);
        QCOMPARE(tally_["swapped records"].harmless, 0);
    }

    void namesTheBadEntry()
    {
        const auto records = weightRecords(original_);
        auto bytes = original_;
        bytes[records[1].data + 3] = char(bytes[records[1].data + 3] ^ 0x40);
        QFile f(QString::fromStdString(mutantPath()));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
        f.close();
        DS_EXPECT_ERROR(verifyZipArchive(mutantPath()), "entry '" + records[1].name.toStdString() + "': CRC-32 mismatch");
        DS_EXPECT_ERROR(NetworkDenoiser::open(mutantPath()), mutantPath() + ": not a readable diffscope checkpoint");
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
