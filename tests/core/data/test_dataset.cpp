// Data sets: Fashion-MNIST mapping to a range, toy shapes and seeds, unknown names.
#include "core/data/dataset.h"
#include "core/data/toy_datasets.h"
#include "models/error.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <filesystem>

using namespace ds;

class DatasetTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fashionMnistMapsToRange()
    {
        if (!std::filesystem::exists(fashionMnistDir()))
            QSKIP("Fashion-MNIST not installed");
        DatasetOptions options;
        options.limit = 100;
        options.range = {-1, 1};
        auto d = loadDataset("fashion-mnist", options);
        QCOMPARE(d.images.sizes(), (at::IntArrayRef{100, 1, 28, 28}));
        QCOMPARE(d.images.min().item<float>(), -1.0f);
        QCOMPARE(d.images.max().item<float>(), 1.0f);
        QCOMPARE(d.labels.size(0), 100);
    }

    void toysAreSeededAndShaped()
    {
        for (const auto& name : toyDatasetNames()) {
            auto a = sampleToy(name, 500, 1), b = sampleToy(name, 500, 1), c = sampleToy(name, 500, 2);
            QCOMPARE(a.sizes(), (at::IntArrayRef{500, 2, 1, 1}));
            QVERIFY(at::equal(a, b));
            QVERIFY(!at::equal(a, c));
            // Roughly unit spread: within the [-4, 4] range a toy declares.
            QVERIFY2(a.abs().max().item<double>() < 4, name.c_str());
            QVERIFY2(a.std().item<double>() > 0.3, name.c_str());
        }
    }

    void eightGaussiansHaveEightModes()
    {
        auto x = sampleToy("8-gaussians", 4000, 3).reshape({-1, 2});
        auto angle = at::atan2(x.select(1, 1), x.select(1, 0));
        auto sector = at::round(angle / (M_PI / 4)).remainder(8).to(at::kLong);
        auto counts = at::bincount(sector, {}, 8).to(at::kDouble);
        QVERIFY(((counts - 500).abs() < 120).all().item<bool>()); // 500 ± 5.4σ each
    }

    void unknownNamesAreListed()
    {
        DS_EXPECT_ERROR(loadDataset("cifar10"), "unknown data set 'cifar10' (known: fashion-mnist");
    }
};

DS_TEST_SUITE(DatasetTest, "dataset");
#include "test_dataset.moc"
