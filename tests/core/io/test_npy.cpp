// .npy round trips for every supported dtype; malformed files fail with the file's name.
#include "models/error.h"
#include "core/io/npy.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <fstream>

using namespace ds;

namespace {

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A version 1.0 .npy with the given header dict and raw data bytes.
std::string npyBytes(std::string dict, const std::string& data)
{
    dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += char(1);
    out += char(0);
    out += char(dict.size() & 0xff);
    out += char(dict.size() >> 8);
    return out + dict + data;
}

} // namespace

class NpyTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }
    std::string write(const char* name, const std::string& bytes) const
    {
        std::ofstream(path(name), std::ios::binary) << bytes;
        return path(name);
    }

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        for (auto t : {at::kFloat, at::kDouble, at::kHalf, at::kLong, at::kInt, at::kByte, at::kBool})
            QTest::newRow(c10::toString(t)) << int(t);
    }
    void roundTrip()
    {
        QFETCH(int, dtype);
        auto t = (at::randn({2, 3, 4}) * 10).to(at::ScalarType(dtype));
        saveNpy(path("rt.npy"), t);
        auto back = loadNpy(path("rt.npy"));
        QCOMPARE(int(back.scalar_type()), dtype);
        QVERIFY(at::equal(back, t));
    }

    void headerIsAlignedAndScalarsWork()
    {
        saveNpy(path("one.npy"), at::arange(5, at::kLong));
        const auto bytes = readBytes(path("one.npy"));
        const size_t headerLength = size_t(uint8_t(bytes[8])) | (size_t(uint8_t(bytes[9])) << 8);
        QCOMPARE((10 + headerLength) % 64, size_t(0));
        QVERIFY(bytes.find("'shape': (5,)") != std::string::npos);
        saveNpy(path("scalar.npy"), at::scalar_tensor(3.5, at::kDouble));
        QCOMPARE(loadNpy(path("scalar.npy")).item<double>(), 3.5);
    }

    void nonContiguousInputIsWrittenInLogicalOrder()
    {
        auto t = at::arange(6, at::kFloat).reshape({2, 3}).t();
        saveNpy(path("t.npy"), t);
        QVERIFY(at::equal(loadNpy(path("t.npy")), t.contiguous()));
    }

    void malformedFilesAreRejected()
    {
        saveNpy(path("good.npy"), at::ones({100}));
        const auto good = readBytes(path("good.npy"));
        DS_EXPECT_ERROR(loadNpy(path("missing.npy")), "cannot open");
        DS_EXPECT_ERROR(loadNpy(write("magic.npy", "PK\x03\x04 not numpy")), "bad magic");
        DS_EXPECT_ERROR(loadNpy(write("short.npy", good.substr(0, good.size() - 8))), "truncated .npy data");
        auto fortran = good;
        fortran.replace(fortran.find("False"), 5, "True ");
        DS_EXPECT_ERROR(loadNpy(write("fortran.npy", fortran)), "Fortran");
        const std::string floats(400, '\0');
        DS_EXPECT_ERROR(loadNpy(write("lying.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999,), }", floats))),
                        "header declares 39999999996 bytes");
        DS_EXPECT_ERROR(loadNpy(write("noshape.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, }", floats))),
                        "lacks 'shape'");
        DS_EXPECT_ERROR(loadNpy(write("neg.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }", floats))),
                        "negative dimension");
        QCOMPARE(loadNpy(write("hand.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 10), }", floats))).size(1), 10);
        auto bigEndian = good;
        bigEndian.replace(bigEndian.find("<f4"), 3, ">f4");
        DS_EXPECT_ERROR(loadNpy(write("big.npy", bigEndian)), "unsupported .npy dtype '>f4'");
        DS_EXPECT_ERROR(loadNpy(write("lie2.npy", good.substr(0, 60))), "truncated .npy header");
    }
};

DS_TEST_SUITE(NpyTest, "npy");
#include "test_npy.moc"
