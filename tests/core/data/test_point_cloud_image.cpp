// core/point_cloud_image: 2D toy data drawn as scatter plots, in grids and contact sheets.
#include "core/data/point_cloud_image.h"
#include "core/export/trajectory_images.h"
#include "core/io/image_io.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>

using namespace ds;

namespace {

// RGB of the pixel at (x, y) as one number 0xRRGGBB.
int rgbAt(const at::Tensor& image, int64_t x, int64_t y)
{
    auto p = image[y][x];
    return (p[0].item<int>() << 16) | (p[1].item<int>() << 8) | p[2].item<int>();
}

at::Tensor points(std::initializer_list<std::pair<float, float>> xy)
{
    std::vector<float> flat;
    for (auto [x, y] : xy) {
        flat.push_back(x);
        flat.push_back(y);
    }
    return at::tensor(flat).reshape({int64_t(xy.size()), 2, 1, 1});
}

} // namespace

class PointCloudImageTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recognisesPointBatches()
    {
        QVERIFY(isPointBatch(at::zeros({5, 2, 1, 1})));
        QVERIFY(isPointBatch(at::zeros({5, 2})));
        QVERIFY(!isPointBatch(at::zeros({5, 2, 4, 4})));  // a two-channel image is not a cloud
        QVERIFY(!isPointBatch(at::zeros({5, 1, 28, 28})));
        QVERIFY(!isPointBatch(at::Tensor()));
    }

    void mapsCoordinatesWithYUp()
    {
        // extent 4 over 258 pixels: 32 pixels per unit, the origin at pixel 128.
        auto image = pointCloudImage(points({{1.0f, 2.0f}}), 4.0, 258);
        QCOMPARE(image.sizes().vec(), (std::vector<int64_t>{258, 258, 3}));
        const int inside = rgbAt(image, 160, 64); // x = 128 + 32, y = 128 − 64
        QVERIFY(inside != 0x282828 && inside != 0x5a5a5a);
        QCOMPARE(rgbAt(image, 160, 192), 0x282828); // nothing at the mirror point (1, −2)
        QCOMPARE(rgbAt(image, 128, 5), 0x5a5a5a);   // the vertical axis through x = 0
    }

    void pinsOutliersToTheBorderInRed()
    {
        auto image = pointCloudImage(points({{100.0f, 0.0f}}), 4.0, 258);
        QCOMPARE(rgbAt(image, 257, 128), 0xff503c);
        auto nan = pointCloudImage(points({{NAN, 0.0f}}), 4.0, 64); // skipped, no crash
        QCOMPARE(int(nan.eq(255).sum().item<int64_t>()), 0);
    }

    void tilingAndSheetsDrawPlots()
    {
        auto grid = tileImages(points({{0.0f, 0.0f}, {1.0f, 1.0f}}), DataRange{-4, 4}, 0, 2);
        QCOMPARE(grid.sizes().vec(), (std::vector<int64_t>{512, 512, 3}));
        Trajectory trajectory(Trajectory::Storage::Float32);
        for (int64_t t = 0; t < 3; ++t)
            trajectory.append(t, points({{0.5f * float(t), 0.0f}}));
        SheetOptions options;
        options.range = DataRange{-4, 4};
        auto sheet = contactSheet(trajectory, options); // one 256-pixel plot per frame, 1-pixel gaps
        QCOMPARE(sheet.sizes().vec(), (std::vector<int64_t>{256, 3 * 257 + 1, 3}));
        DS_EXPECT_ERROR(pointCloudImage(at::zeros({3, 3}), 4.0), "[N, 2]");
    }
};

DS_TEST_SUITE(PointCloudImageTest, "point_cloud_image");
#include "test_point_cloud_image.moc"
