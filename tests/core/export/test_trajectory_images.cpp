// core/export/trajectory_images: grids, strips and contact sheets of a trajectory.
#include "core/export/frame_labels.h"
#include "core/export/trajectory_arrays.h"
#include "core/export/trajectory_images.h"
#include "core/io/npy.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QFile>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace ds;

namespace {

// Frames t = 0..4 of a batch of 3 gray 8×8 images; frame f holds the value −1 + f/2, x̂0 = +1.
Trajectory fiveFrames()
{
    Trajectory trajectory(Trajectory::Storage::Float32);
    for (int64_t f = 0; f < 5; ++f)
        trajectory.append(f, at::full({3, 1, 8, 8}, -1.0 + 0.5 * double(f)), at::ones({3, 1, 8, 8}));
    return trajectory;
}

// Pixels of `image` (uint8 [H, W, C]) in rows [y0, y1) equal to the label ink.
int64_t inkPixels(const at::Tensor& image, int64_t y0, int64_t y1)
{
    return (image.narrow(0, y0, y1 - y0) == int64_t(kLabelInk)).sum().item<int64_t>();
}

// A reverse run as the GUI stores it: x_T with no x̂0, then steps each with the model's x̂0.
Trajectory reverseRun()
{
    Trajectory trajectory(Trajectory::Storage::Float32);
    trajectory.append(4, at::full({2, 1, 4, 4}, 0.9));
    for (int64_t t = 3; t >= 0; --t)
        trajectory.append(t, at::full({2, 1, 4, 4}, 0.1 * double(t)), at::full({2, 1, 4, 4}, 0.5));
    return trajectory;
}

} // namespace

class TrajectoryImagesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void frameGridTilesTheBatch()
    {
        auto grid = frameGrid(fiveFrames(), 2, DataRange{-1, 1}, 3, 2);
        // 3 columns of 16-pixel tiles with 1-pixel gaps: 1 + 3·17 wide, 1 + 17 high.
        QCOMPARE(grid.size(0), int64_t(18));
        QCOMPARE(grid.size(1), int64_t(52));
        QCOMPARE(grid.size(2), int64_t(1));
        QCOMPARE(int(grid[5][5][0].item<uint8_t>()), 255 / 2 + 1); // value 0 → 127.5 → 128
    }

    void stripFollowsOneSample()
    {
        SheetOptions options;
        options.maxFrames = 5;
        auto strip = trajectoryStrip(fiveFrames(), 1, options);
        QCOMPARE(strip.size(0), int64_t(10));
        QCOMPARE(strip.size(1), int64_t(46));
        QCOMPARE(int(strip[4][1 + 4][0].item<uint8_t>()), 0);     // frame 0: −1
        QCOMPARE(int(strip[4][1 + 4 * 9 + 4][0].item<uint8_t>()), 255); // frame 4: +1
        DS_EXPECT_ERROR(trajectoryStrip(fiveFrames(), 3, options), "sample 3 out of range");
    }

    void contactSheetIsFramesBySamples()
    {
        SheetOptions options;
        options.maxFrames = 3;
        options.maxSamples = 2;
        options.content = FrameContent::PredictedX0;
        auto sheet = contactSheet(fiveFrames(), options);
        QCOMPARE(sheet.size(0), int64_t(1 + 3 * 9));
        QCOMPARE(sheet.size(1), int64_t(1 + 2 * 9));
        QCOMPARE(int(sheet[1 + 9 + 3][4][0].item<uint8_t>()), 255); // x̂0 = +1 everywhere
    }

    void animationHasEveryFrame()
    {
        auto sequence = trajectoryAnimation(fiveFrames(), DataRange{-1, 1});
        QCOMPARE(sequence.count, int64_t(5));
        auto last = sequence.frame(4);
        QCOMPARE(last.scalar_type(), at::kByte);
        QCOMPARE(last.dim(), int64_t(3));
        DS_EXPECT_ERROR(trajectoryAnimation(Trajectory{}, DataRange{-1, 1}), "no frames");
    }

    void labelsAddABandWithEachT()
    {
        SheetOptions options;
        options.maxFrames = 5;
        options.scale = 4; // 32-pixel tiles: room for "t=4"
        const auto plain = trajectoryStrip(fiveFrames(), 0, options);
        options.labels = true;
        const auto labelled = trajectoryStrip(fiveFrames(), 0, options);
        QCOMPARE(labelled.size(1), plain.size(1));
        QVERIFY(labelled.size(0) > plain.size(0));
        DS_COMPARE_TENSORS(labelled.narrow(0, 0, plain.size(0)).to(at::kFloat), plain.to(at::kFloat), 0); // tiles untouched
        // Each tile's column of the band holds ink: its label ("t=0" … "t=4"), centred under it.
        for (int64_t f = 0; f < 5; ++f) {
            auto column = labelled.narrow(0, plain.size(0), labelled.size(0) - plain.size(0)).narrow(1, 1 + f * 33, 32);
            QVERIFY((column == int64_t(kLabelInk)).any().item<bool>());
        }
        // Different t draw different pixels.
        auto band = labelled.narrow(0, plain.size(0), labelled.size(0) - plain.size(0));
        QVERIFY(!at::equal(band.narrow(1, 1, 32), band.narrow(1, 1 + 33, 32)));
    }

    void contactSheetLabelsSitLeftOfTheRows()
    {
        SheetOptions options;
        options.maxFrames = 3;
        options.maxSamples = 2;
        const auto plain = contactSheet(fiveFrames(), options);
        options.labels = true;
        const auto labelled = contactSheet(fiveFrames(), options);
        QCOMPARE(labelled.size(0), plain.size(0));
        const int64_t extra = labelled.size(1) - plain.size(1);
        QVERIFY(extra >= labelWidth("t=4", 1));
        DS_COMPARE_TENSORS(labelled.narrow(1, extra, plain.size(1)).to(at::kFloat), plain.to(at::kFloat), 0);
        QVERIFY(inkPixels(labelled.narrow(1, 0, extra).contiguous(), 0, labelled.size(0)) > 0);
    }

    void labelledAnimationFramesShareOneSize()
    {
        auto sequence = trajectoryAnimation(fiveFrames(), DataRange{-1, 1}, 0, FrameContent::State, true);
        const auto plain = trajectoryAnimation(fiveFrames(), DataRange{-1, 1}).frame(0);
        const auto first = sequence.frame(0), last = sequence.frame(4);
        QCOMPARE(first.sizes(), last.sizes());
        QVERIFY(first.size(0) > plain.size(0));
        QVERIFY(inkPixels(first, plain.size(0), first.size(0)) > 0);
        QVERIFY(!at::equal(first, last)); // "t=0" and "t=4" differ (and so do the frames)
    }

    void labelFontFitsAndClips()
    {
        QCOMPARE(labelWidth("t=250", 1), int64_t(5 * 6 - 1));
        QCOMPARE(labelWidth("t=250", 2), int64_t(2 * 29));
        QCOMPARE(labelScaleFor("t=250", 100), int64_t(3));
        QCOMPARE(labelScaleFor("t=250", 40), int64_t(1));
        QCOMPARE(tLabel(250, 40), std::string("t=250"));
        QCOMPARE(tLabel(1000, 28), std::string("1000")); // "t=1000" is 35 pixels
        auto band = labelBand(7, 10, 1);
        drawLabel(band, 6, 0, "88", 1); // runs off the right edge: clipped, no crash
        QVERIFY(inkPixels(band, 0, 7) > 0);
    }

    // The x̂0 rows: the model's where stored, the data itself at t = 0, NaN only where nothing
    // exists, and a JSON saying which is which.
    void predictionArraysWriteWhatIsDefined()
    {
        auto run = reverseRun();
        const auto rows = predictionRows(run);
        QCOMPARE(rows.kind, (std::vector<std::string>{"missing", "model", "model", "model", "model"}));
        QVERIFY(at::isnan(rows.values[0]).all().item<bool>());
        QVERIFY(at::isfinite(rows.values.narrow(0, 1, 4)).all().item<bool>());
        // A forward run's clean frame (t = 0) without an estimate holds the data itself.
        Trajectory forward(Trajectory::Storage::Float32);
        forward.append(0, at::full({1, 1, 2, 2}, 0.25));
        forward.append(1, at::full({1, 1, 2, 2}, 0.5), at::full({1, 1, 2, 2}, 0.3));
        const auto f = predictionRows(forward);
        QCOMPARE(f.kind[0], std::string("data"));
        QCOMPARE(f.values[0].max().item<double>(), 0.25);

        QTemporaryDir dir;
        const auto path = dir.filePath("run.npy").toStdString();
        const auto written = saveTrajectoryArrays(path, run);
        QCOMPARE(written.size(), size_t(4));
        const auto x0 = loadNpy(written[2]);
        QCOMPARE(x0.sizes(), (at::IntArrayRef{5, 2, 1, 4, 4}));
        DS_COMPARE_TENSORS(x0.narrow(0, 1, 4), rows.values.narrow(0, 1, 4), 0);
        QFile json(QString::fromStdString(written[3]));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto meta = nlohmann::json::parse(json.readAll().toStdString());
        QCOMPARE(meta["array"].get<std::string>(), std::string("run.x0.npy"));
        QCOMPARE(meta["frames"][0]["x0"].get<std::string>(), std::string("missing"));
        QCOMPARE(meta["frames"][0]["t"].get<int64_t>(), int64_t(4));
        QCOMPARE(meta["frames"][1]["x0"].get<std::string>(), std::string("model"));
        // No x̂0 stored at all: no .x0 files.
        Trajectory bare(Trajectory::Storage::Float32);
        bare.append(0, at::zeros({1, 1, 2, 2}));
        QCOMPARE(saveTrajectoryArrays(dir.filePath("bare.npy").toStdString(), bare).size(), size_t(2));
        DS_EXPECT_ERROR(saveTrajectoryArrays(dir.filePath("e.npy").toStdString(), Trajectory{}), "no frames");
    }
};

DS_TEST_SUITE(TrajectoryImagesTest, "trajectory_images");
#include "test_trajectory_images.moc"
