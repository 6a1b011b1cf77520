// PyTorch .bin state dicts: the diffusers fixture (exactly the safetensors values), files that
// PyTorch itself writes at test time (/usr/bin/python3), and refusals of everything else.
#include "models/error.h"
#include "core/io/safetensors.h"
#include "core/io/torch_state_dict.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_registry.h"

#include <QProcess>
#include <QTemporaryDir>

#include <fstream>
#include <random>

using namespace ds;

namespace {

const std::string kFixtureDir = ds::test::fixturesDir() + "/diffusers/A/";

std::string fileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// Files PyTorch writes, so the reader is checked against the real torch.save.
const char* kMakeInputs = R"PY(
import collections, io, sys, zipfile, torch
out = sys.argv[1]
big = torch.arange(10.0)
torch.save({'half': torch.arange(12, dtype=torch.float16).reshape(3, 4),
            'long_t': torch.arange(6).reshape(2, 3).t(),
            'flag': torch.tensor(True),
            'view': big[2:5],
            'empty': torch.zeros(0, 3),
            'double': torch.linspace(0, 1, 5, dtype=torch.float64)}, out + '/plain.bin')
torch.manual_seed(0)
torch.save(torch.nn.Linear(2, 3).state_dict(), out + '/ordered.bin')
torch.save(torch.nn.Linear(2, 3), out + '/module.bin')
torch.save([torch.zeros(2)], out + '/list.bin')
torch.save({'w': torch.zeros(1), 'n': 3}, out + '/int_value.bin')
torch.save({'outer': {'w': torch.zeros(1)}}, out + '/nested.bin')
torch.save({'w': torch.zeros(1)}, out + '/legacy.bin', _use_new_zipfile_serialization=False)
torch.save({'w': torch.zeros(1)}, out + '/protocol4.bin', pickle_protocol=4)
torch.jit.save(torch.jit.script(torch.nn.Linear(2, 3)), out + '/script.pt')

def rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))

# A storage record shorter than the pickle says, and data.pkl cut at several lengths.
torch.save({'w': torch.arange(64.0)}, out + '/whole.bin')
rewrite(out + '/whole.bin', out + '/short_record.bin',
        lambda name, data: data[:16] if name.endswith('/data/0') else data)
for n in (1, 2, 10, 30, 60, 90):
    rewrite(out + '/whole.bin', out + '/cut_pickle_%d.bin' % n,
            lambda name, data: data[:n] if name.endswith('data.pkl') else data)
)PY";

} // namespace

class TorchStateDictTest : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    bool havePython_ = false;
    std::string path(const QString& name) const { return dir_.filePath(name).toStdString(); }
    void needPython()
    {
        if (!havePython_)
            QSKIP("/usr/bin/python3 with torch is not available to write the inputs");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QProcess python;
        python.start("/usr/bin/python3", {"-c", kMakeInputs, dir_.path()});
        havePython_ = python.waitForFinished(120000) && python.exitStatus() == QProcess::NormalExit
                      && python.exitCode() == 0;
        if (!havePython_)
            qWarning("python3 could not write the inputs: %s", python.readAllStandardError().constData());
    }

    void fixtureEqualsTheSafetensorsFile()
    {
        const auto bin = readTorchStateDict(kFixtureDir + "diffusion_pytorch_model.bin");
        const auto st = readSafetensors(kFixtureDir + "diffusion_pytorch_model.safetensors");
        QCOMPARE(bin.size(), st.size());
        int64_t parameters = 0;
        for (const auto& [name, t] : st) {
            QVERIFY2(bin.count(name), name.c_str());
            QVERIFY2(at::equal(bin.at(name), t), name.c_str()); // bit-exact
            parameters += t.numel();
        }
        QCOMPARE(parameters, int64_t(701345));
        const auto wide = readTorchStateDict(kFixtureDir + "diffusion_pytorch_model.bin", at::kDouble);
        QCOMPARE(wide.at("conv_in.weight").scalar_type(), at::kDouble);
        QVERIFY(at::equal(wide.at("conv_in.weight"), st.at("conv_in.weight").to(at::kDouble)));
    }

    void readsWhatTorchSaveWrites()
    {
        needPython();
        const auto m = readTorchStateDict(path("plain.bin"), at::kDouble);
        QCOMPARE(m.size(), size_t(6));
        QVERIFY(at::equal(m.at("half"), at::arange(12, at::kDouble).reshape({3, 4})));
        QCOMPARE(m.at("long_t").scalar_type(), at::kLong);
        QVERIFY(at::equal(m.at("long_t"), at::arange(6, at::kLong).reshape({2, 3}).t()));
        QVERIFY(m.at("long_t").is_contiguous());
        QCOMPARE(m.at("flag").dim(), 0);
        QVERIFY(m.at("flag").item<bool>());
        QVERIFY(at::equal(m.at("view"), at::tensor({2.0, 3.0, 4.0}, at::kDouble))); // storage offset 2
        QCOMPARE(m.at("empty").sizes(), (at::IntArrayRef{0, 3}));
        QVERIFY(at::equal(m.at("double"), at::linspace(0, 1, 5, at::kDouble)));
    }

    void readsAnOrderedDictStateDict()
    {
        needPython();
        const auto m = readTorchStateDict(path("ordered.bin"));
        QCOMPARE(m.size(), size_t(2));
        QCOMPARE(m.at("weight").sizes(), (at::IntArrayRef{3, 2}));
        QCOMPARE(m.at("bias").sizes(), (at::IntArrayRef{3}));
        QVERIFY(m.at("weight").abs().max().item<float>() > 0); // real values, not zeros
    }

    void refusesWhatIsNotAFlatTensorDict()
    {
        needPython();
        DS_EXPECT_ERROR(readTorchStateDict(path("module.bin")), "torch.nn.modules.linear.Linear");
        DS_EXPECT_ERROR(readTorchStateDict(path("list.bin")), "not a dict of tensors");
        DS_EXPECT_ERROR(readTorchStateDict(path("int_value.bin")), "entry 'n' holds a Int");
        DS_EXPECT_ERROR(readTorchStateDict(path("nested.bin")), "entry 'outer' holds a GenericDict");
        DS_EXPECT_ERROR(readTorchStateDict(path("legacy.bin")), "legacy torch.save format");
        DS_EXPECT_ERROR(readTorchStateDict(path("protocol4.bin")), "protocol 4");
        DS_EXPECT_ERROR(readTorchStateDict(path("script.pt")), "TorchScript module");
        DS_EXPECT_ERROR(readTorchStateDict(path("script.pt")), path("script.pt").c_str());
    }

    void refusesDamagedArchives()
    {
        needPython();
        QCOMPARE(readTorchStateDict(path("whole.bin")).at("w").numel(), 64);
        DS_EXPECT_ERROR(readTorchStateDict(path("short_record.bin")), "more data than its record holds");
        for (int n : {1, 2, 10, 30, 60, 90}) {
            const auto p = path(QString("cut_pickle_%1.bin").arg(n));
            DS_EXPECT_ERROR(readTorchStateDict(p), p.c_str());
        }
    }

    void truncatedFilesNeverCrash()
    {
        const auto bytes = fileBytes(kFixtureDir + "diffusion_pytorch_model.bin");
        std::mt19937 rng(5);
        std::vector<size_t> lengths{0, 1, 3, 4, 30, 100, 1000, bytes.size() / 2, bytes.size() - 22, bytes.size() - 1};
        for (int i = 0; i < 20; ++i)
            lengths.push_back(rng() % bytes.size());
        for (size_t n : lengths) {
            const auto p = path("cut.bin");
            writeBytes(p, bytes.substr(0, n));
            DS_EXPECT_ERROR(readTorchStateDict(p), p.c_str());
        }
    }

    void refusesRandomBytes()
    {
        std::mt19937 rng(9);
        std::string noise(4096, '\0');
        for (auto& c : noise)
            c = char(rng() & 0xff);
        writeBytes(path("noise.bin"), noise);
        DS_EXPECT_ERROR(readTorchStateDict(path("noise.bin")), "not a PyTorch state dict");
        writeBytes(path("zipnoise.bin"), std::string("PK\x03\x04", 4) + noise);
        DS_EXPECT_ERROR(readTorchStateDict(path("zipnoise.bin")), path("zipnoise.bin").c_str());
        DS_EXPECT_ERROR(readTorchStateDict(path("absent.bin")), "cannot open");
    }
};

DS_TEST_SUITE(TorchStateDictTest, "torch_state_dict");
#include "test_torch_state_dict.moc"
