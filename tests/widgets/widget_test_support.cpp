#include "widget_test_support.h"

#include "core/data/dataset.h"
#include "core/forward_process.h"

#include <ATen/ATen.h>
#include <QSignalSpy>
#include <QTest>

#include <filesystem>

namespace ds::test {

bool Engine::open(const QString& spec)
{
    QSignalSpy opened(&model, &ModelSession::opened);
    QSignalSpy failed(&model, &ModelSession::openFailed);
    model.open(spec);
    return QTest::qWaitFor([&] { return !opened.isEmpty() || !failed.isEmpty(); }, 60000) && !opened.isEmpty();
}

SyntheticTrajectory forwardTrajectoryOf(int64_t batch, int64_t channels, int64_t size, int64_t T, uint64_t seed)
{
    at::manual_seed(seed);
    auto x0 = at::rand({batch, channels, size, size}) * 2 - 1;
    const auto spec = ScheduleSpec::linear(T);
    Schedule schedule(spec, DataRange{-1, 1});
    NoiseSource noise(seed);
    ForwardOptions options;
    options.storage = Trajectory::Storage::Float16;
    SyntheticTrajectory out{forwardTrajectory(schedule, x0, options, noise), {}};
    out.meta = {TrajectoryDirection::Forward, spec, DataRange{-1, 1}, x0, QStringLiteral("synthetic forward")};
    return out;
}

bool fashionMnistInstalled() { return std::filesystem::exists(fashionMnistDir() + "/train-images-idx3-ubyte.gz"); }

} // namespace ds::test
