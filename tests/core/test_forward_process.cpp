// Forward process: the simulated Markov chain has the closed-form moments of q(x_t | x0);
// the DNM shared-ε path has the seed's differential δ_t.
#include "core/forward_process.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <cmath>

using namespace ds;

namespace {

// Mean and variance of x_t over many chains, against √ᾱ x0 and 1 − ᾱ, within 5 standard errors.
void checkChainMoments(const Schedule& schedule, const at::Tensor& x0one)
{
    const int64_t chains = 20000;
    auto x0 = x0one.expand({chains, -1, -1, -1}).contiguous();
    ForwardOptions options;
    options.mode = ForwardMode::Markov;
    NoiseSource noise(123);
    auto traj = forwardTrajectory(schedule, x0, options, noise);
    QCOMPARE(traj.size(), schedule.steps() + 1);
    for (int64_t t : {int64_t(1), schedule.steps() / 4, schedule.steps() / 2, schedule.steps()}) {
        auto frame = traj.frame(traj.nearestFrame(t)).to(at::kDouble);
        auto abar = schedule.alphaBar(t - 1, x0one).to(at::kDouble).expand_as(x0one);
        auto mean = at::sqrt(abar) * x0one.to(at::kDouble);
        auto var = 1.0 - abar;
        auto meanErr = (frame.mean(0, true) - mean).abs() / at::sqrt(var / chains);
        auto varErr = (frame.var(0, /*unbiased=*/true, true) - var).abs() / (var * std::sqrt(2.0 / chains));
        QVERIFY2(meanErr.max().item<double>() < 5, qPrintable(QString("mean off at t=%1").arg(t)));
        QVERIFY2(varErr.max().item<double>() < 5, qPrintable(QString("variance off at t=%1").arg(t)));
    }
}

} // namespace

class ForwardProcessTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void markovChainMatchesClosedFormLinear()
    {
        checkChainMoments(Schedule(ScheduleSpec::linear(200, 1e-4, 0.05)),
                          at::tensor({-1.0f, -0.3f, 0.4f, 1.0f}).reshape({1, 1, 2, 2}));
    }

    void markovChainMatchesClosedFormPixelAware()
    {
        checkChainMoments(Schedule(ScheduleSpec::pixelAware(100, 20), DataRange{4e-3, 1}),
                          at::tensor({4e-3f, 0.1f, 0.5f, 1.0f}).reshape({1, 1, 2, 2}));
    }

    void sharedEpsilonDifferentialMatchesSeed()
    {
        // δ_t = x_t − x_{t−1} = (√ᾱ_t − √ᾱ_{t−1}) x0 + (√(1−ᾱ_t) − √(1−ᾱ_{t−1})) ε (seed 000, §3).
        Schedule s(ScheduleSpec::linear(100));
        auto x0 = at::rand({2, 1, 3, 3}) * 2 - 1;
        ForwardOptions options;
        options.mode = ForwardMode::SharedEpsilon;
        NoiseSource noise(5);
        auto traj = forwardTrajectory(s, x0, options, noise);
        NoiseSource replay(5);
        auto eps = replay.normal(x0.sizes());
        for (int64_t t : {1, 2, 50, 100}) {
            const double a = s.alphaBarAt(t - 1), b = s.alphaBarAt(t - 2);
            auto delta = (std::sqrt(a) - std::sqrt(b)) * x0 + (std::sqrt(1 - a) - std::sqrt(1 - b)) * eps;
            DS_COMPARE_TENSORS(traj.frame(t) - traj.frame(t - 1), delta, 1e-5);
        }
    }

    void closedFormFramesHaveRequestedSpacing()
    {
        Schedule s(ScheduleSpec::linear(100));
        ForwardOptions options;
        options.every = 30;
        NoiseSource noise(1);
        auto traj = forwardTrajectory(s, at::zeros({1, 1, 2, 2}), options, noise);
        QCOMPARE(traj.ts(), (std::vector<int64_t>{0, 30, 60, 90, 100}));
        DS_COMPARE_TENSORS(traj.frame(0), at::zeros({1, 1, 2, 2}), 0);
    }

    void stopRequestEndsTheTrajectory()
    {
        Schedule s(ScheduleSpec::linear(100));
        NoiseSource noise(1);
        auto traj = forwardTrajectory(s, at::zeros({1, 1, 2, 2}), {}, noise, [](int64_t t) { return t < 10; });
        QCOMPARE(traj.size(), 11); // t = 0..10
    }
};

DS_TEST_SUITE(ForwardProcessTest, "forward_process");
#include "test_forward_process.moc"
