// core/export/trajectory_images: grids, strips and contact sheets of a trajectory.
#include "core/export/trajectory_images.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

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
};

DS_TEST_SUITE(TrajectoryImagesTest, "trajectory_images");
#include "test_trajectory_images.moc"
