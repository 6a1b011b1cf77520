// widgets/instruments/round_trip_view: on the Gaussian oracle the RMSE the view shows is core's
// roundTrip for the same images and options, and it falls with the step count (the error curve
// too); the error map's colour scale spans 0 … max error; a bad step list is a message; on the
// exact empirical oracle the generate-vs-reconstruct check finds training images and says why.
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/common/image_canvas.h"
#include "widgets/instruments/round_trip_view.h"

#include "core/denoisers/denoiser.h"
#include "core/instruments/round_trip.h"
#include "core/noise_source.h"

#include <ATen/ATen.h>
#include <QSignalSpy>
#include <QTest>

using namespace ds;

namespace {

// Draws from the Gaussian oracle's own law N(0, 0.5²) on 1×8×8.
at::Tensor gaussianImages(int64_t n)
{
    NoiseSource noise(11);
    return 0.5 * noise.normal({n, 1, 8, 8});
}

bool runAndWait(RoundTripView& view)
{
    QSignalSpy done(&view, &RoundTripView::finished);
    view.run();
    return done.wait(120000) && !view.running();
}

double coreRmse(Denoiser& d, const at::Tensor& x, const std::string& sampler, int64_t steps)
{
    SamplerOptions options;
    options.steps = steps;
    options.eta = 0;
    return roundTrip(d, x, sampler, options).rmse;
}

} // namespace

class RoundTripViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gaussianRmseIsCoresAndFallsWithSteps()
    {
        test::Engine engine;
        QVERIFY(engine.open(test::kGaussianOracle));
        RoundTripView view(engine.model);
        const auto x = gaussianImages(3);
        view.setImages(x);
        view.setSampler(QStringLiteral("ddim"));
        view.setGenerateCheck(false);
        view.setCurveSteps(QStringLiteral("4,16,64"));
        view.setSteps(8);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.outcome().error.isEmpty(), qPrintable(view.outcome().error));
        auto& d = *engine.model.denoiser(); // the engine is idle now
        const double rmse8 = coreRmse(d, x, "ddim", 8);
        QCOMPARE(view.outcome().trip.rmse, rmse8);
        QVERIFY2(view.summaryText().contains(QStringLiteral("RMSE %1").arg(QString::number(rmse8, 'g', 6))),
                 qPrintable(view.summaryText()));
        QVERIFY(rmse8 > 0);
        // The error curve falls with the steps, and the chart plots exactly its values.
        const auto& curve = view.outcome().curve;
        QCOMPARE(int(curve.size()), 3);
        QVERIFY2(curve[0].rmse > curve[1].rmse && curve[1].rmse > curve[2].rmse,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(curve[0].rmse).arg(curve[1].rmse).arg(curve[2].rmse)));
        QCOMPARE(curve[1].rmse, coreRmse(d, x, "ddim", 16));
        view.errorPlot().flush();
        const auto& series = view.errorPlot().series();
        QVERIFY(!series.isEmpty());
        QCOMPARE(series[0].points.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(series[0].points[i].y(), curve[size_t(i)].rmse);
            QCOMPARE(series[0].points[i].x(), std::log10(double(curve[size_t(i)].steps)));
        }
        // A second run with more steps shows a smaller RMSE, again core's.
        view.setSteps(32);
        QVERIFY(runAndWait(view));
        QCOMPARE(view.outcome().trip.rmse, coreRmse(d, x, "ddim", 32));
        QVERIFY(view.outcome().trip.rmse < rmse8);
        // The error map is coloured over 0 … max error and says so.
        QVERIFY(view.errorCanvas().colourScale().has_value());
        QCOMPARE(view.errorCanvas().colourScale()->hi, view.outcome().trip.maxError);
        QCOMPARE(view.errorCanvas().colourScale()->lo, 0.0);
    }

    void heunBeatsDdimAtTheSameSteps()
    {
        test::Engine engine;
        QVERIFY(engine.open(test::kGaussianOracle));
        RoundTripView view(engine.model);
        view.setImages(gaussianImages(2));
        view.setGenerateCheck(false);
        view.setCurveSteps({});
        view.setSteps(10);
        view.setSampler(QStringLiteral("ddim"));
        QVERIFY(runAndWait(view));
        const double ddim = view.outcome().trip.rmse;
        view.setSampler(QStringLiteral("pf-ode-heun"));
        QVERIFY(runAndWait(view));
        QVERIFY2(view.outcome().error.isEmpty(), qPrintable(view.outcome().error));
        QVERIFY2(view.outcome().trip.rmse < ddim, qPrintable(QStringLiteral("heun %1, ddim %2").arg(view.outcome().trip.rmse).arg(ddim)));
    }

    void badInputIsAMessage()
    {
        test::Engine engine;
        QVERIFY(engine.open(test::kGaussianOracle));
        RoundTripView view(engine.model);
        view.setCurveSteps(QStringLiteral("5,abc"));
        view.run();
        QVERIFY(!view.running());
        // The Gaussian oracle names no data set: its held-out data are its own law (as the CLI's).
        view.setCurveSteps({});
        view.setGenerateCheck(true);
        view.setCount(2);
        view.setSteps(4);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.outcome().error.isEmpty(), qPrintable(view.outcome().error));
        QVERIFY(!view.outcome().check.done); // no training set to search: said, not crashed
        QVERIFY2(view.checkText().contains(QStringLiteral("training set")), qPrintable(view.checkText()));
        QVERIFY(!view.loadImageFile(QStringLiteral("/nonexistent/images.npy")).isEmpty());
    }

    void empiricalOracleEndsOnTrainingImages()
    {
        if (!test::fashionMnistInstalled())
            QSKIP("Fashion-MNIST is not installed");
        test::Engine engine;
        QVERIFY(engine.open(test::kFashionOracle));
        RoundTripView view(engine.model);
        view.setCount(2);
        view.setSteps(20);
        view.setCurveSteps({});
        view.setGenerateCheck(true);
        QVERIFY(runAndWait(view));
        QVERIFY2(view.outcome().error.isEmpty(), qPrintable(view.outcome().error));
        const auto& c = view.outcome().check;
        QVERIFY(c.done && c.empiricalOracle);
        // From N(0, I) the exact empirical oracle lands on one of its 200 training images.
        QVERIFY2(c.nearestNoise.distance.max().item<double>() < 0.05, qPrintable(view.checkText()));
        QVERIFY(view.checkText().contains(QStringLiteral("always ends on a training image")));
    }
};

DS_TEST_SUITE(RoundTripViewTest, "round_trip_view");
#include "test_round_trip_view.moc"
