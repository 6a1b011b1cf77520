// Native checkpoints: bit-exact round trips; truncated, damaged, wrong-version and mismatched
// files fail with messages naming the file; a failed save (disk full) keeps the old file.
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/network_denoiser.h"
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "models/mlp.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QDir>
#include <QTemporaryDir>
#include <torch/optim/adamw.h>

#include <csignal>
#include <fstream>
#include <sys/resource.h>

using namespace ds;

namespace {

CheckpointHeader headerFor(const NetworkImpl& net)
{
    CheckpointHeader h;
    h.network = net.config();
    h.schedule = ScheduleSpec::linear(100);
    h.shape = {2, 1, 1};
    h.range = {-4, 4};
    h.dataset = "two-moons";
    h.step = 42;
    h.created = utcNow();
    h.trainingState = false;
    return h;
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeBytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

bool sameParameters(const NetworkImpl& a, const NetworkImpl& b)
{
    auto pa = a.parameters(), pb = b.parameters();
    if (pa.size() != pb.size())
        return false;
    for (size_t i = 0; i < pa.size(); ++i)
        if (!at::equal(pa[i], pb[i]))
            return false;
    return true;
}

} // namespace

class CheckpointTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string p(const char* name) const { return dir_.filePath(name).toStdString(); }

private Q_SLOTS:
    void roundTripIsBitExact()
    {
        auto net = std::make_shared<MlpImpl>(MlpConfig{});
        auto live = std::make_shared<MlpImpl>(MlpConfig{});
        torch::optim::AdamW optimizer(live->parameters());
        auto rng = at::randint(0, 255, {64}, at::kByte);
        auto header = headerFor(*net);
        header.trainingState = true;
        saveCheckpoint(p("a.dsckpt"), header, {net.get(), live.get(), &optimizer, rng});
        auto back = loadCheckpoint(p("a.dsckpt"));
        QVERIFY(sameParameters(*back.ema, *net));
        QVERIFY(sameParameters(*back.weights, *live));
        QVERIFY(at::equal(back.rngState, rng));
        // The header comes back as saved, plus the digests saveCheckpoint stamped on it.
        QCOMPARE(back.header.weightsSha256.at("ema"), networkDigest(*net));
        QCOMPARE(back.header.weightsSha256.at("weights"), networkDigest(*live));
        QVERIFY(networkDigest(*net) != networkDigest(*live)); // independent initialisations
        auto unstamped = back.header;
        unstamped.weightsSha256.clear();
        QCOMPARE(toJson(unstamped).dump(), toJson(header).dump());
        // Saving what was loaded gives the same bytes' worth of tensors again.
        saveCheckpoint(p("b.dsckpt"), back.header, {back.ema.get(), back.weights.get(), &optimizer, back.rngState});
        QVERIFY(sameParameters(*loadCheckpoint(p("b.dsckpt")).ema, *net));
    }

    void opensAsADenoiser()
    {
        auto net = std::make_shared<MlpImpl>(MlpConfig{});
        saveCheckpoint(p("d.dsckpt"), headerFor(*net), CheckpointContents::emaOnly(net.get()));
        auto d = openDenoiser(p("d.dsckpt"));
        QCOMPARE(d->info().kind, std::string("native:mlp"));
        QCOMPARE(d->info().parameters, net->parameterCount());
        auto x = at::randn({3, 2, 1, 1});
        auto k = at::tensor({1L, 2L, 3L});
        DS_COMPARE_TENSORS((*d)(x, k), net->forward(x, k), 0);
    }

    void damagedFilesAreNamed()
    {
        auto net = std::make_shared<MlpImpl>(MlpConfig{});
        saveCheckpoint(p("good.dsckpt"), headerFor(*net), CheckpointContents::emaOnly(net.get()));
        const auto good = readBytes(p("good.dsckpt"));
        writeBytes(p("trunc.dsckpt"), good.substr(0, good.size() * 2 / 3));
        DS_EXPECT_ERROR(loadCheckpoint(p("trunc.dsckpt")), p("trunc.dsckpt") + ": not a readable diffscope checkpoint");
        writeBytes(p("empty.dsckpt"), "");
        DS_EXPECT_ERROR(loadCheckpoint(p("empty.dsckpt")), "empty file");
        writeBytes(p("junk.dsckpt"), std::string(4096, 'x'));
        DS_EXPECT_ERROR(loadCheckpoint(p("junk.dsckpt")), "not a readable diffscope checkpoint");
        DS_EXPECT_ERROR(loadCheckpoint(p("none.dsckpt")), "no such file");
        auto zipped = good; // damage the central directory at the end of the zip
        for (size_t i = zipped.size() - 60; i < zipped.size() - 10; ++i)
            zipped[i] = char(0xA5);
        writeBytes(p("dir.dsckpt"), zipped);
        DS_EXPECT_ERROR(loadCheckpoint(p("dir.dsckpt")), "dir.dsckpt");
    }

    // Found by the checkpoint_header fuzz target: keys of the wrong JSON type are ds::Error,
    // not a json::type_error escaping the loader.
    void headerKeysOfTheWrongTypeAreNamed()
    {
        DS_EXPECT_ERROR(checkpointHeaderFromJson({{"format", nlohmann::json::object()}}, "h.json"),
                        "h.json: not a diffscope checkpoint header");
        DS_EXPECT_ERROR(checkpointHeaderFromJson({{"format", "diffscope-checkpoint"}, {"version", "1"}}, "h.json"),
                        "h.json: header: version must be an integer");
    }

    void wrongVersionAndMismatchesAreNamed()
    {
        auto net = std::make_shared<MlpImpl>(MlpConfig{});
        auto header = headerFor(*net);
        header.version = 99;
        saveCheckpoint(p("v99.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("v99.dsckpt")), "checkpoint version 99 is not supported");

        header = headerFor(*net);
        header.network["hidden"] = 64; // the weights are 128 wide
        saveCheckpoint(p("shape.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("shape.dsckpt")), "has the wrong shape");

        header = headerFor(*net);
        header.network["layers"] = 5; // keys the file does not have
        saveCheckpoint(p("keys.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("keys.dsckpt")), "does not match the network config");

        header = headerFor(*net);
        header.network["kind"] = "wavenet";
        saveCheckpoint(p("kind.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("kind.dsckpt")), "unknown network kind 'wavenet'");

        // A header asking for an absurd network is refused before anything is allocated.
        header = headerFor(*net);
        header.network["hidden"] = 8192;
        header.network["layers"] = 32;
        saveCheckpoint(p("huge.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("huge.dsckpt")), p("huge.dsckpt") + ": network config: mlp config: dims, hidden and layers ask for");
        header.network = {{"kind", "mlp"}, {"hidden", "128"}};
        saveCheckpoint(p("type.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("type.dsckpt")), "type.dsckpt: network config: mlp config: hidden must be an integer");

        header = headerFor(*net);
        header.trainingState = false;
        saveCheckpoint(p("slim.dsckpt"), header, CheckpointContents::emaOnly(net.get()));
        QVERIFY(!loadCheckpoint(p("slim.dsckpt")).weights); // EMA only: nothing to resume
    }

    void nonFiniteWeightsAreRejected()
    {
        auto net = std::make_shared<MlpImpl>(MlpConfig{});
        {
            torch::NoGradGuard noGrad;
            net->parameters()[0].fill_(std::nan(""));
        }
        saveCheckpoint(p("nan.dsckpt"), headerFor(*net), CheckpointContents::emaOnly(net.get()));
        DS_EXPECT_ERROR(loadCheckpoint(p("nan.dsckpt")), "holds NaN or Inf");
    }

    void fullDiskKeepsThePreviousCheckpoint()
    {
        auto first = std::make_shared<MlpImpl>(MlpConfig{});
        auto second = std::make_shared<MlpImpl>(MlpConfig{});
        saveCheckpoint(p("keep.dsckpt"), headerFor(*first), CheckpointContents::emaOnly(first.get()));
        const auto before = readBytes(p("keep.dsckpt"));
        // A file-size limit makes writes past 4 KiB fail with EFBIG, as a full disk fails them.
        struct rlimit old {};
        getrlimit(RLIMIT_FSIZE, &old);
        auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &small);
        bool threw = false;
        std::string message;
        try {
            saveCheckpoint(p("keep.dsckpt"), headerFor(*second), CheckpointContents::emaOnly(second.get()));
        } catch (const Error& e) {
            threw = true;
            message = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(threw, "the save should have failed");
        QVERIFY2(message.find(p("keep.dsckpt")) != std::string::npos, message.c_str());
        QCOMPARE(readBytes(p("keep.dsckpt")), before);
        QVERIFY(sameParameters(*loadCheckpoint(p("keep.dsckpt")).ema, *first));
        QCOMPARE(QDir(dir_.path()).entryList({".keep*"}, QDir::Hidden | QDir::Files).size(), 0); // no temp left
    }
};

DS_TEST_SUITE(CheckpointTest, "checkpoint");
#include "test_checkpoint.moc"
