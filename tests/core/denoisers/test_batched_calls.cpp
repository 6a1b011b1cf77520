// One network call for many runs (core/denoisers/batched_calls.h). The exact Gaussian oracle is
// elementwise per row, so a run's samples must come out bit for bit as when it runs alone, with
// the same passes, while the shared model is called fewer times than the runs call it.
#include "core/denoisers/batched_calls.h"
#include "core/denoisers/denoiser_loader.h"
#include "core/samplers/sampler_registry.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <QTest>

#include <atomic>
#include <stdexcept>

using namespace ds;

namespace {

const char* kOracle = "oracle:gaussian?mean=0.1&std=0.5&shape=1x4x4";

SampleRun sample(Denoiser& d, const std::string& name, int64_t steps, int64_t n, uint64_t seed)
{
    auto sampler = makeSampler(name);
    auto options = defaultOptions(name);
    options.steps = steps;
    NoiseSource noise(seed);
    const auto xT = initialNoise(d, n, noise);
    return runSampler(*sampler, d, xT, options, noise);
}

// A network that breaks on every call.
class BrokenNetwork : public Denoiser {
public:
    explicit BrokenNetwork(DenoiserInfo info) : Denoiser(std::move(info)) {}

protected:
    at::Tensor forward(const at::Tensor&, const at::Tensor&) override { throw Error("broken.pt: the network broke"); }
};

} // namespace

class BatchedCallsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void panesTogetherGiveTheirOwnSamples()
    {
        std::shared_ptr<Denoiser> model = openDenoiser(kOracle);
        const std::vector<std::tuple<std::string, int64_t, int64_t>> panes{
            {"ddim", 10, 3}, {"ddpm", 7, 2}, {"dpmpp-2m", 5, 4}, {"picard-ddim", 12, 3}};
        std::vector<SampleRun> alone, together(panes.size());
        int64_t requests = 0;
        for (const auto& [name, steps, n] : panes) {
            alone.push_back(sample(*model, name, steps, n, 7));
            requests += alone.back().usage.passes;
        }
        model->resetUsage();
        BatchedCalls calls(model);
        std::vector<std::function<void(Denoiser&)>> runs;
        for (size_t i = 0; i < panes.size(); ++i)
            runs.push_back([&, i](Denoiser& member) {
                const auto& [name, steps, n] = panes[i];
                together[i] = sample(member, name, steps, n, 7);
            });
        calls.runTogether(runs);
        for (size_t i = 0; i < panes.size(); ++i) {
            QVERIFY2(at::equal(alone[i].x, together[i].x), std::get<0>(panes[i]).c_str());
            QCOMPARE(together[i].usage.passes, alone[i].usage.passes); // each member counts its own
        }
        // Every member call was answered, by fewer model calls: at most the longest pane's.
        QCOMPARE(calls.stats().requests, requests);
        QCOMPARE(model->usage().passes, calls.stats().calls);
        int64_t longest = 0;
        for (const auto& run : alone)
            longest = std::max(longest, run.usage.passes);
        QVERIFY2(calls.stats().calls <= longest + int64_t(panes.size()),
                 qPrintable(QString("%1 calls, longest pane %2").arg(calls.stats().calls).arg(longest)));
        QVERIFY(calls.stats().calls < requests);
        QVERIFY(calls.stats().largestRows > 4); // rows of several panes in one call
    }

    // A run that fails leaves the rendezvous: the others finish, and the error comes back.
    void aFailingRunNeitherHangsNorHidesItsError()
    {
        std::shared_ptr<Denoiser> model = openDenoiser(kOracle);
        const auto expected = sample(*model, "ddim", 20, 2, 3);
        BatchedCalls calls(model);
        SampleRun survivor;
        std::vector<std::function<void(Denoiser&)>> runs{
            [&](Denoiser& member) { survivor = sample(member, "ddim", 20, 2, 3); },
            [&](Denoiser& member) {
                sample(member, "ddim", 2, 2, 3);
                throw std::runtime_error("pane 2 gave up");
            }};
        try {
            calls.runTogether(runs);
            QFAIL("the failure was swallowed");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), std::string("pane 2 gave up"));
        }
        QVERIFY(at::equal(survivor.x, expected.x));
    }

    // A model error reaches every run whose rows were in the failed call.
    void aModelErrorReachesTheRuns()
    {
        auto model = std::make_shared<BrokenNetwork>(openDenoiser(kOracle)->info());
        BatchedCalls calls(model);
        std::atomic<int> failures{0};
        auto bad = [&](Denoiser& member) {
            try {
                member(at::zeros({2, 1, 4, 4}), at::full({2}, 5, at::kLong));
            } catch (const Error& e) {
                if (std::string(e.what()).find("the network broke") != std::string::npos)
                    ++failures;
            }
        };
        calls.runTogether({bad, bad});
        QCOMPARE(failures.load(), 2);
    }

    void refusesModelsOfOtherRoles()
    {
        auto info = openDenoiser(kOracle)->info();
        info.role = ModelRole::DnmDelta; // its sampler reads u(x_T, k) for every k in one pass
        std::shared_ptr<Denoiser> dnm = std::make_shared<BrokenNetwork>(info);
        DS_EXPECT_ERROR(BatchedCalls{dnm}, "batched calls need a model of role");
    }
};

DS_TEST_SUITE(BatchedCallsTest, "batched_calls");
#include "test_batched_calls.moc"
