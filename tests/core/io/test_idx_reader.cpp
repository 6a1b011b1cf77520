// IDX files: gzipped and plain round trips; every header lie is caught; the real
// Fashion-MNIST files load with their known sizes.
#include "core/data/dataset.h"
#include "models/error.h"
#include "core/io/idx_reader.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>
#include <zlib.h>

#include <filesystem>
#include <fstream>

using namespace ds;

namespace {

std::string idxBytes(std::vector<uint32_t> dims, size_t dataBytes, uint8_t type = 0x08)
{
    std::string out{char(0), char(0), char(type), char(dims.size())};
    for (auto d : dims)
        out += {char(d >> 24), char(d >> 16), char(d >> 8), char(d)};
    for (size_t i = 0; i < dataBytes; ++i)
        out += char(i % 251);
    return out;
}

} // namespace

class IdxReaderTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string writePlain(const char* name, const std::string& bytes) const
    {
        const auto path = dir_.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    std::string writeGz(const char* name, const std::string& bytes) const
    {
        const auto path = dir_.filePath(name).toStdString();
        gzFile f = gzopen(path.c_str(), "wb");
        gzwrite(f, bytes.data(), unsigned(bytes.size()));
        gzclose(f);
        return path;
    }

private Q_SLOTS:
    void gzipAndPlainRoundTrip()
    {
        const auto bytes = idxBytes({3, 5, 7}, 105);
        for (const auto& path : {writePlain("a.idx", bytes), writeGz("a.idx.gz", bytes)}) {
            auto t = readIdx(path);
            QCOMPARE(t.sizes(), (at::IntArrayRef{3, 5, 7}));
            QCOMPARE(t[2][4][6].item<uint8_t>(), uint8_t(104 % 251));
        }
    }

    void headerLiesAreCaught()
    {
        DS_EXPECT_ERROR(readIdx(writeGz("short.gz", idxBytes({10, 28, 28}, 7000))), "truncated IDX data");
        DS_EXPECT_ERROR(readIdx(writeGz("long.gz", idxBytes({2, 2}, 5))), "longer than its header");
        DS_EXPECT_ERROR(readIdx(writeGz("huge.gz", idxBytes({60000, 60000, 60000}, 10))), "implausible IDX dimension");
        DS_EXPECT_ERROR(readIdx(writeGz("type.gz", idxBytes({4}, 16, 0x0D))), "element type 13 unsupported");
        DS_EXPECT_ERROR(readIdx(writeGz("dims.gz", idxBytes({}, 0))), "declares 0 dimensions");
        DS_EXPECT_ERROR(readIdx(writePlain("magic.idx", "\x1f\x8b garbage that is not gzip")), "corrupt gzip stream");
        DS_EXPECT_ERROR(readIdx(writePlain("header.idx", std::string("\0\0\x08", 3))), "truncated IDX header");
        DS_EXPECT_ERROR(readIdx(dir_.filePath("nothing.gz").toStdString()), "no such file");
        auto bad = idxBytes({4}, 4);
        bad[0] = 7;
        DS_EXPECT_ERROR(readIdx(writePlain("magic2.idx", bad)), "bad magic");
    }

    void fashionMnistHasKnownSizes()
    {
        const auto dir = std::filesystem::path(fashionMnistDir());
        if (!std::filesystem::exists(dir / "t10k-images-idx3-ubyte.gz"))
            QSKIP("Fashion-MNIST not installed");
        auto images = readIdx((dir / "t10k-images-idx3-ubyte.gz").string());
        auto labels = readIdx((dir / "t10k-labels-idx1-ubyte.gz").string());
        QCOMPARE(images.sizes(), (at::IntArrayRef{10000, 28, 28}));
        QCOMPARE(labels.max().item<uint8_t>(), uint8_t(9));
        // Ten balanced classes of 1000 test images each.
        QVERIFY(at::equal(at::bincount(labels.to(at::kLong).reshape({-1})), at::full({10}, 1000, at::kLong)));
    }
};

DS_TEST_SUITE(IdxReaderTest, "idx_reader");
#include "test_idx_reader.moc"
