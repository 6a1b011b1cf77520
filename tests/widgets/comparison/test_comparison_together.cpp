// widgets/comparison_view with panes that share the open model: started together they run as
// one group (widgets/engine/sampling_job.h, postSamplingGroup) whose rounds go through the model
// as one call. On the exact Gaussian oracle (elementwise per row) each pane's samples must come
// out bit for bit as when it runs alone, with its own passes, in fewer model calls than the panes
// make; a pane cancelled mid-run leaves the group and the others finish; whole-chain solvers
// stay out of the group. The last function times a 4-pane comparison on the DDPM demo, together
// against one pane after another (only with DIFFSCOPE_BENCH_PANES=1; numbers in
// docs/benchmarks.md, no timed assertion).
#include "tests/widgets/widget_test_support.h"

#include "tests/support/test_registry.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/engine/sampling_job.h"

#include "core/io/resource_paths.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSpinBox>
#include <QTest>

#include <algorithm>

using namespace ds;
using namespace ds::test;

namespace {

SamplerSettings quick(const QString& sampler, int steps) { return SamplerSettings::of(sampler, steps); }

const QList<SamplerSettings> kFourPanes{quick("ddim", 20), quick("ddpm", 20), quick("dpmpp-2m", 20), quick("euler", 20)};

// The view on `spec` with `panes`, none following the σ toggle (settings stay as given).
struct Comparison {
    Engine engine;
    ComparisonView view{engine.model};
    explicit Comparison(const QList<SamplerSettings>& panes)
    {
        view.setPaneSettings(panes);
        for (int i = 0; i < view.paneCount(); ++i)
            view.pane(i)->setFollowsSigmaToggle(false);
        view.setPaneSettings(panes); // the first call may have applied the toggle to added panes
        view.setShareCallsUpToBatch(1 << 20); // the default stops at 2 samples per pane (measured on CPU)
    }
    // Opens the model with the view shown: every pane starts, the shared ones as one group.
    bool open(const QString& spec)
    {
        view.show();
        return engine.open(spec) && finish();
    }
    // Every pane done, and the group's job too (it writes its counts after the runs' last packets).
    bool finish()
    {
        return QTest::qWaitFor([&] { return !view.running() && (!view.lastGroup() || view.lastGroup()->done()); },
                               120000);
    }
    // Runs pane i on its own and returns its samples.
    at::Tensor alone(int i)
    {
        view.runPane(view.pane(i));
        return finish() ? view.pane(i)->summary().samples : at::Tensor();
    }
};

// Seconds from `start()` to the view's allFinished.
double timed(ComparisonView& view, const std::function<void()>& start)
{
    QEventLoop loop;
    QObject::connect(&view, &ComparisonView::allFinished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    start();
    if (view.running())
        loop.exec();
    return double(clock.nsecsElapsed()) / 1e9;
}

} // namespace

class ComparisonTogetherTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void panesTogetherGiveTheirOwnSamplesInFewerCalls()
    {
        Comparison c(kFourPanes);
        QVERIFY(c.open(kGaussianOracle));
        const auto group = c.view.lastGroup();
        QVERIFY(group && group->done());
        std::vector<at::Tensor> together;
        std::vector<int64_t> passes;
        int64_t sum = 0, longest = 0;
        for (int i = 0; i < 4; ++i) {
            const auto& s = c.view.pane(i)->summary();
            QVERIFY(!s.cancelled && s.samples.defined());
            QCOMPARE(s.completedSteps, int64_t(20));
            QVERIFY2(c.view.pane(i)->statsText().contains("calls shared by 4 panes"),
                     qPrintable(c.view.pane(i)->statsText()));
            together.push_back(s.samples);
            passes.push_back(s.passes);
            sum += s.passes;
            longest = std::max(longest, s.passes);
        }
        // (b) Every pane call answered, by fewer calls of the model: about the longest pane's.
        const auto stats = group->stats();
        QCOMPARE(stats.requests, sum);
        QVERIFY2(stats.calls < sum && stats.calls <= longest + 4,
                 qPrintable(QString("%1 calls for %2 pane calls, longest pane %3").arg(stats.calls).arg(sum).arg(longest)));
        QCOMPARE(stats.largestRows, int64_t(4 * 9)); // the view's default batch, 4 panes in one call
        // (a) Bit for bit as each pane alone (tolerance 0), with the same passes.
        for (int i = 0; i < 4; ++i) {
            const auto alone = c.alone(i);
            QVERIFY(alone.defined());
            QVERIFY2(at::equal(alone, together[size_t(i)]), qPrintable(c.view.pane(i)->settings().sampler));
            QCOMPARE(c.view.pane(i)->summary().passes, passes[size_t(i)]);
            QVERIFY(!c.view.pane(i)->statsText().contains("shared by"));
        }
        QVERIFY(c.view.lastGroup() == group); // runs of one pane form no group
    }

    // By default panes share calls only where that measured faster on CPU: up to 2 samples each.
    void defaultSharesOnlySmallBatches()
    {
        Comparison c(kFourPanes);
        c.view.setShareCallsUpToBatch(ComparisonView::kShareCallsMaxBatchCpu);
        QVERIFY(c.open(kGaussianOracle)); // the default batch (9): each pane on its own
        QVERIFY(!c.view.lastGroup());
        auto* batchBox = c.view.findChild<QSpinBox*>(QStringLiteral("batchBox"));
        QVERIFY(batchBox);
        batchBox->setValue(2); // reruns all, now as one group
        QVERIFY(c.finish());
        QVERIFY(c.view.lastGroup() && c.view.lastGroup()->stats().largestRows == 4 * 2);
    }

    // (c) A pane cancelled mid-run leaves the group: the others finish, as they would alone.
    void cancellingOnePaneLetsTheOthersFinish()
    {
        const auto spec = QStringLiteral("oracle:gaussian?mean=0&std=0.5&shape=3x32x32&T=1000");
        Comparison c({quick("ddim", 1000), quick("ddpm", 1000), quick("dpmpp-2m", 1000), quick("euler", 1000)});
        c.view.show();
        QVERIFY(c.engine.open(spec));
        auto* victim = c.view.pane(1);
        QVERIFY(QTest::qWaitFor([&] { return victim->trajectory().size() >= 2; }, 60000));
        QVERIFY(c.view.pane(0)->running());
        victim->cancel();
        QVERIFY(!victim->running());
        QVERIFY(c.finish());
        QCOMPARE(victim->messageText(), QStringLiteral("cancelled"));
        const auto stats = c.view.lastGroup()->stats();
        QVERIFY(c.view.lastGroup()->done());
        // The victim stopped before its 1000 calls: it left, the group went on without it.
        QVERIFY2(stats.requests < 4 * 1000, qPrintable(QString::number(stats.requests)));
        QVERIFY(victim->trajectory().size() < 1001); // nothing came after the cancel
        for (int i : {0, 2, 3}) {
            const auto s = c.view.pane(i)->summary();
            QVERIFY(!s.cancelled);
            QCOMPARE(s.completedSteps, int64_t(1000));
            QVERIFY2(at::equal(c.alone(i), s.samples), qPrintable(c.view.pane(i)->settings().sampler));
        }
    }

    // Whole-chain solvers (Picard here) and panes with a model of their own run alone.
    void wholeChainSolversRunOnTheirOwn()
    {
        Comparison c({quick("ddim", 10), quick("picard-ddim", 10), quick("ddpm", 10)});
        QVERIFY(c.open(kGaussianOracle));
        const auto stats = c.view.lastGroup()->stats();
        QCOMPARE(stats.requests, int64_t(20)); // ddim's 10 and ddpm's 10
        QVERIFY(!c.view.pane(1)->statsText().contains("shared by"));
        QVERIFY(c.view.pane(0)->statsText().contains("calls shared by 2 panes"));
        QCOMPARE(c.view.pane(1)->summary().completedSteps, int64_t(10));
    }

    // docs/benchmarks.md: a 4-pane comparison of the DDPM demo, 20 steps each, at 1 and 2
    // threads: runAll (one group) against the panes one after another, best of 2.
    void benchmarkFourPanesTogether()
    {
        if (qEnvironmentVariableIntValue("DIFFSCOPE_BENCH_PANES") != 1)
            QSKIP("set DIFFSCOPE_BENCH_PANES=1 to time the panes together");
        const auto demo = QString::fromStdString(resourcePath("demo/fashion_mnist_ddpm.dsckpt"));
        if (!QFileInfo::exists(demo))
            QSKIP("the DDPM demo checkpoint is not there");
        const int batch = qEnvironmentVariableIsSet("DIFFSCOPE_BENCH_BATCH") ? qEnvironmentVariableIntValue("DIFFSCOPE_BENCH_BATCH") : 9;
        Comparison c(kFourPanes);
        auto* batchBox = c.view.findChild<QSpinBox*>(QStringLiteral("batchBox"));
        QVERIFY(batchBox);
        QVERIFY(c.open(demo));
        batchBox->setValue(batch); // reruns all
        QVERIFY(c.finish());
        const int threadsBefore = at::get_num_threads();
        for (int threads : {1, 2}) {
            at::set_num_threads(threads);
            double together = 1e9, oneByOne = 1e9;
            double maxDelta = 0;
            BatchedCallStats stats;
            for (int r = 0; r < 2; ++r) {
                std::vector<at::Tensor> joint;
                const double t = timed(c.view, [&] { c.view.runAll(); });
                QVERIFY(c.finish());
                if (t < together) {
                    together = t;
                    stats = c.view.lastGroup()->stats();
                }
                for (int i = 0; i < 4; ++i)
                    joint.push_back(c.view.pane(i)->summary().samples);
                double sum = 0;
                for (int i = 0; i < 4; ++i) {
                    sum += timed(c.view, [&] { c.view.runPane(c.view.pane(i)); });
                    maxDelta = std::max(maxDelta, (c.view.pane(i)->summary().samples - joint[size_t(i)]).abs().max().item<double>());
                }
                oneByOne = std::min(oneByOne, sum);
            }
            qInfo("4 panes x %d samples, %d threads: one after another %.3f s, together %.3f s (%.2fx); "
                  "%lld model calls for %lld pane calls, largest %lld rows; max |alone - together| %.3g",
                  batch, threads, oneByOne, together, oneByOne / together, (long long)stats.calls,
                  (long long)stats.requests, (long long)stats.largestRows, maxDelta);
        }
        at::set_num_threads(threadsBefore);
    }
};

DS_TEST_SUITE(ComparisonTogetherTest, "comparison_together");
#include "test_comparison_together.moc"
