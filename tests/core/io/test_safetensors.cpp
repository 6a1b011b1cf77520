// safetensors: round trips of every dtype, metadata, the diffusers fixture, and every check of
// the reader against hand-made damaged files (each message names the file and the problem).
#include "models/error.h"
#include "core/io/safetensors.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <random>

using namespace ds;

namespace {

const std::string kFixture = ds::test::fixturesDir() + "/diffusers/A/diffusion_pytorch_model.safetensors";

std::string fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A file from a header text and a data buffer, the header length written as given.
std::string rawFile(const std::string& header, const std::string& data, uint64_t declared = ~uint64_t(0))
{
    const uint64_t n = declared == ~uint64_t(0) ? header.size() : declared;
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}

TensorMap everyDtype()
{
    at::manual_seed(3);
    TensorMap m;
    m["f64"] = at::randn({3, 4}, at::kDouble);
    m["f32"] = at::randn({2, 3, 5});
    m["f16"] = at::randn({7}).to(at::kHalf);
    m["bf16"] = at::randn({2, 2}).to(at::kBFloat16);
    m["i64"] = at::arange(-5, 7, at::kLong).reshape({3, 4});
    m["i32"] = at::arange(-3, 3, at::kInt);
    m["i16"] = at::arange(-300, 300, 7, at::kShort);
    m["i8"] = at::arange(-128, 128, 5, at::kChar);
    m["u8"] = at::arange(0, 256, 3, at::kByte);
    m["bool"] = at::tensor({1, 0, 1}).to(at::kBool);
    m["scalar"] = at::scalar_tensor(2.5);           // 0-d, float64
    m["empty"] = at::zeros({0, 3});                  // no bytes
    m["transposed"] = at::randn({4, 3}).t();         // written as a contiguous copy
    return m;
}

} // namespace

class SafetensorsTest : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

    // Writes `bytes` and expects the reader to refuse them naming the file and `problem`.
    void expectRefused(const std::string& bytes, const std::string& problem)
    {
        const auto p = path("damaged.safetensors");
        writeBytes(p, bytes);
        DS_EXPECT_ERROR(readSafetensors(p), problem.c_str());
        DS_EXPECT_ERROR(readSafetensors(p), p.c_str());
    }

private Q_SLOTS:
    void everyDtypeRoundTrips()
    {
        const auto original = everyDtype();
        const auto p = path("all.safetensors");
        writeSafetensors(p, original);
        // Read floats as float64: F16/BF16/F32 widen exactly, so the values must be equal.
        const auto back = readSafetensors(p, at::kDouble);
        QCOMPARE(back.size(), original.size());
        for (const auto& [name, t] : original) {
            const auto& b = back.at(name);
            QVERIFY2(b.sizes() == t.sizes(), name.c_str());
            if (at::isFloatingType(t.scalar_type())) {
                QCOMPARE(b.scalar_type(), at::kDouble);
                QVERIFY2(at::equal(b, t.to(at::kDouble)), name.c_str());
            } else {
                QCOMPARE(b.scalar_type(), t.scalar_type());
                QVERIFY2(at::equal(b, t), name.c_str());
            }
        }
        QCOMPARE(back.at("scalar").dim(), 0);
        QCOMPARE(back.at("empty").numel(), 0);
    }

    void floatsConvertToTheRequestedType()
    {
        const auto original = everyDtype();
        const auto p = path("half.safetensors");
        writeSafetensors(p, original);
        const auto back = readSafetensors(p, at::kHalf);
        QCOMPARE(back.at("f32").scalar_type(), at::kHalf);
        QVERIFY(at::equal(back.at("f32"), original.at("f32").to(at::kHalf)));
        QVERIFY(at::equal(back.at("f16"), original.at("f16"))); // no conversion needed: bit-exact
        QCOMPARE(back.at("i64").scalar_type(), at::kLong);
    }

    void layoutFollowsTheFormat()
    {
        // 8-byte length, a space-padded header whose length is a multiple of 8, then the
        // tensors in name order, packed.
        TensorMap m{{"b", at::tensor({1.0f, 2.0f})}, {"a", at::tensor({int16_t(7)})}};
        const auto p = path("layout.safetensors");
        writeSafetensors(p, m, {{"format", "pt"}});
        const auto bytes = fileBytes(p);
        uint64_t n = 0;
        std::memcpy(&n, bytes.data(), 8);
        QCOMPARE(n % 8, uint64_t(0));
        QCOMPARE(uint64_t(bytes.size()), 8 + n + 2 + 8);
        const auto header = nlohmann::json::parse(bytes.substr(8, n));
        QVERIFY(header["a"]["data_offsets"] == nlohmann::json({0, 2}));
        QVERIFY(header["b"]["data_offsets"] == nlohmann::json({2, 10}));
        QVERIFY(header["b"]["dtype"] == "F32");
        float second = 0;
        std::memcpy(&second, bytes.data() + 8 + n + 2 + 4, 4);
        QCOMPARE(second, 2.0f);
    }

    void metadataRoundTrips()
    {
        const std::map<std::string, std::string> meta{{"format", "pt"}, {"note", "ünïcode, \"quotes\""}};
        const auto p = path("meta.safetensors");
        writeSafetensors(p, {{"w", at::ones({2})}}, meta);
        QCOMPARE(readSafetensorsMetadata(p), meta);
        writeSafetensors(p, {{"w", at::ones({2})}});
        QVERIFY(readSafetensorsMetadata(p).empty());
    }

    void readsTheDiffusersFixture()
    {
        const auto weights = readSafetensors(kFixture);
        int64_t parameters = 0;
        for (const auto& [name, t] : weights) {
            QCOMPARE(t.scalar_type(), at::kFloat);
            parameters += t.numel();
        }
        QCOMPARE(parameters, int64_t(701345));
        QCOMPARE(weights.at("conv_in.weight").sizes(), (at::IntArrayRef{32, 1, 3, 3}));
        // The reference writer's metadata, and a rewrite by ours reads back identically.
        QCOMPARE(readSafetensorsMetadata(kFixture), (std::map<std::string, std::string>{{"format", "pt"}}));
        const auto p = path("rewritten.safetensors");
        writeSafetensors(p, weights, {{"format", "pt"}});
        const auto again = readSafetensors(p);
        QCOMPARE(again.size(), weights.size());
        for (const auto& [name, t] : weights)
            QVERIFY2(at::equal(again.at(name), t), name.c_str());
    }

    void writerRefusesWhatTheFormatCannotHold()
    {
        DS_EXPECT_ERROR(writeSafetensors(path("x.safetensors"), {{"c", at::zeros({2}, at::kComplexFloat)}}), "dtype");
        DS_EXPECT_ERROR(writeSafetensors(path("x.safetensors"), {{"__metadata__", at::zeros({2})}}), "__metadata__");
    }

    void headerLengthIsChecked()
    {
        expectRefused(rawFile("{}", "", 200'000'000), "exceeds 100 MB");
        expectRefused(rawFile("{}", "", 3), "exceeds the file");
        expectRefused(std::string(5, '\0'), "too short");
    }

    void headerMustBeUtf8JsonObject()
    {
        expectRefused(rawFile("{\"w\xff\": 1}", ""), "not valid UTF-8 JSON");
        expectRefused(rawFile("{\"w\": ", ""), "not valid UTF-8 JSON");
        expectRefused(rawFile("[1, 2]  ", ""), "not a JSON object");
    }

    void entriesAreChecked()
    {
        const std::string four(4, '\0');
        expectRefused(rawFile(R"({"w": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}})", four),
                      "dtype 'F8_E4M3'");
        expectRefused(rawFile(R"({"w": {"dtype": "U32", "shape": [1], "data_offsets": [0, 4]}})", four), "'U32'");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", four),
                      "non-negative");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", four),
                      "span 4 bytes but dtype and shape need 8");
        expectRefused(rawFile(R"({"w": {"dtype": "F64", "shape": [4611686018427387904, 8], "data_offsets": [0, 4]}})",
                              four),
                      "overflows");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", four), "end before");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [1]}})", four), "data_offsets");
        expectRefused(rawFile(R"({"w": 3})", four), "is not an object");
        expectRefused(rawFile(R"({"w": {"dtype": "BOOL", "shape": [4], "data_offsets": [0, 4]}})",
                              std::string("\x01\x00\x02\x00", 4)),
                      "BOOL bytes");
    }

    void offsetsMustTileTheBuffer()
    {
        const std::string eight(8, '\0');
        // Gap at the start, overlap, trailing bytes, truncated data.
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", eight),
                      "starts at byte 4 of the data, expected 0 (a gap)");
        expectRefused(rawFile(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                              R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                              eight),
                      "overlapping");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", eight),
                      "trailing bytes");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", eight),
                      "truncated");
    }

    void duplicatesAndMetadataAreChecked()
    {
        const std::string four(4, '\0');
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                              R"( "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                              four),
                      "'w' twice");
        expectRefused(rawFile(R"({"w": {"dtype": "F32", "dtype": "F64", "shape": [1], "data_offsets": [0, 4]}})", four),
                      "'dtype' twice");
        expectRefused(rawFile(R"({"__metadata__": {"k": 1}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                              four),
                      "metadata 'k' is not a string");
        expectRefused(rawFile(R"({"__metadata__": [1], "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                              four),
                      "\"__metadata__\" is not an object");
        DS_EXPECT_ERROR(readSafetensorsMetadata(path("missing.safetensors")), "cannot open");
    }

    void truncatedFilesNeverCrash()
    {
        const auto p = path("whole.safetensors");
        writeSafetensors(p, everyDtype(), {{"format", "pt"}});
        const auto bytes = fileBytes(p);
        for (size_t n = 0; n < bytes.size(); ++n) {
            const auto cut = path("cut.safetensors");
            writeBytes(cut, bytes.substr(0, n));
            DS_EXPECT_ERROR(readSafetensors(cut), cut.c_str());
        }
    }

    void flippedBytesAreReadOrRefused()
    {
        // Random damage anywhere: the reader either reads a consistent file or throws ds::Error.
        const auto p = path("whole.safetensors");
        writeSafetensors(p, everyDtype());
        const auto bytes = fileBytes(p);
        std::mt19937 rng(11);
        int refused = 0;
        for (int trial = 0; trial < 400; ++trial) {
            auto damaged = bytes;
            const size_t at = rng() % std::min<size_t>(damaged.size(), 8 + 700);
            damaged[at] = char(rng() & 0xff);
            const auto q = path("flip.safetensors");
            writeBytes(q, damaged);
            try {
                readSafetensors(q);
            } catch (const Error&) {
                ++refused;
            }
        }
        QVERIFY(refused > 100); // most header damage must be caught
    }
};

DS_TEST_SUITE(SafetensorsTest, "safetensors");
#include "test_safetensors.moc"
