// Control-point schedules (the SNR tab's live schedule editor): a curve through a linear
// schedule's own λ reproduces its ᾱ within the interpolation error bound, a dragged point
// changes ᾱ only near it, bad points are refused with messages, and the file form round-trips.
#include "core/control_point_schedule.h"
#include "models/error.h"
#include "core/io/npy.h"
#include "tests/support/test_registry.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace ds;

namespace {

std::vector<double> logSnrTable(const Schedule& s)
{
    std::vector<double> out;
    for (int64_t k = 0; k < s.steps(); ++k) {
        const double a = s.alphaBarAt(k);
        out.push_back(std::log(a) - std::log1p(-a));
    }
    return out;
}

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b)
{
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

// Expects `fn` to throw ds::Error whose message contains `part`.
template <class Fn>
bool throwsWith(Fn fn, const char* part)
{
    try {
        fn();
    } catch (const Error& e) {
        if (std::string(e.what()).find(part) != std::string::npos)
            return true;
        qWarning("message was: %s", e.what());
    }
    return false;
}

ControlPointSchedule threePoints(double middle)
{
    return {100, {{1, 5}, {50, middle}, {100, -5}}, LogSnrInterpolation::Linear};
}

} // namespace

class ControlPointScheduleTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Linear interpolation of a C² curve errs by at most h_k²/8 · max|λ''| on each interval
    // [t_k, t_{k+1}] (λ'' from the table's second differences), and |Δᾱ| ≤ |Δλ|/4 because
    // sigmoid' ≤ 1/4. At the control points it is exact.
    void linearScheduleIsReproducedWithinInterpolationError()
    {
        const Schedule linear(ScheduleSpec::linear(1000));
        const auto lambda = logSnrTable(linear);
        auto cps = controlPointsFrom(linear, 41, LogSnrInterpolation::Linear);
        QCOMPARE(cps.points.size(), size_t(41));
        QCOMPARE(cps.points.front().t, 1.0);
        QCOMPARE(cps.points.back().t, 1000.0);
        std::vector<double> curvature(lambda.size()); // |λ''| at each t (ends: their neighbour's)
        for (size_t k = 1; k + 1 < lambda.size(); ++k)
            curvature[k] = std::abs(lambda[k + 1] - 2 * lambda[k] + lambda[k - 1]);
        curvature.front() = curvature[1];
        curvature.back() = curvature[curvature.size() - 2];

        const auto curve = logSnrCurve(cps);
        const auto abarCurve = controlPointAlphaBars(cps);
        for (const auto& p : cps.points)
            QVERIFY(std::abs(curve[size_t(p.t) - 1] - lambda[size_t(p.t) - 1]) < 1e-12);
        for (size_t i = 0; i + 1 < cps.points.size(); ++i) {
            const auto lo = size_t(cps.points[i].t) - 1, hi = size_t(cps.points[i + 1].t) - 1;
            const double h = double(hi - lo);
            const double bound = h * h / 8 * *std::max_element(curvature.begin() + lo, curvature.begin() + hi + 1);
            for (size_t k = lo; k <= hi; ++k) {
                const double e = std::abs(curve[k] - lambda[k]);
                QVERIFY2(e <= bound * 1.01 + 1e-12, qPrintable(QString("t = %1: %2 > %3").arg(k + 1).arg(e).arg(bound)));
                QVERIFY(std::abs(abarCurve[k] - linear.alphaBarAt(int64_t(k))) <= bound / 4 * 1.01 + 1e-12);
            }
        }
        std::vector<double> abar;
        for (int64_t k = 0; k < 1000; ++k)
            abar.push_back(linear.alphaBarAt(k));
        const double linearError = maxAbsDiff(abarCurve, abar);
        QVERIFY(linearError > 1e-4); // it does interpolate: 41 points, not the table

        cps.interpolation = LogSnrInterpolation::MonotoneCubic; // closer (0.0015 vs 0.0027 in ᾱ)
        const double cubicError = maxAbsDiff(controlPointAlphaBars(cps), abar);
        QVERIFY2(cubicError < linearError, qPrintable(QString("cubic %1 vs linear %2").arg(cubicError).arg(linearError)));
        QVERIFY(cubicError < 2e-3);

        const Schedule rebuilt(toScheduleSpec(cps));
        QCOMPARE(rebuilt.steps(), 1000);
        QVERIFY(std::abs(rebuilt.alphaBarAt(499) - linear.alphaBarAt(499)) < 2e-3);
    }

    // Linear: point i's λ enters only the intervals either side of it. Cubic (PCHIP): it also
    // changes the neighbours' slopes, so the change stops at the second neighbours.
    void draggedPointChangesAlphaBarOnlyNearIt()
    {
        const Schedule linear(ScheduleSpec::linear(1000));
        for (auto kind : {LogSnrInterpolation::Linear, LogSnrInterpolation::MonotoneCubic}) {
            const auto before = controlPointsFrom(linear, 21, kind);
            const size_t i = 10;
            const auto after = movePoint(before, i, {before.points[i].t, before.points[i].logSnr + 0.4});
            QCOMPARE(after.points[i].logSnr, before.points[i].logSnr + 0.4);
            const auto a = controlPointAlphaBars(before), b = controlPointAlphaBars(after);
            const size_t reach = kind == LogSnrInterpolation::Linear ? 1 : 2;
            const double lo = before.points[i - reach].t, hi = before.points[i + reach].t;
            for (int64_t t = 1; t <= 1000; ++t) {
                const bool inside = double(t) > lo && double(t) < hi;
                const double d = std::abs(a[size_t(t - 1)] - b[size_t(t - 1)]);
                if (!inside)
                    QVERIFY2(d == 0, qPrintable(QString("%1: t = %2 changed by %3").arg(name(kind).data()).arg(t).arg(d)));
            }
            QVERIFY(std::abs(a[size_t(before.points[i].t) - 1] - b[size_t(before.points[i].t) - 1]) > 1e-4);
        }
    }

    void dragIsClampedBetweenNeighbours()
    {
        const auto s = threePoints(0);
        auto moved = movePoint(s, 1, {500, 9}); // above the first point's λ and past the last t
        QVERIFY(moved.points[1].logSnr < 5);
        QVERIFY(moved.points[1].t < 100);
        moved.validate();
        moved = movePoint(s, 0, {30, 7}); // the end points keep their t
        QCOMPARE(moved.points[0].t, 1.0);
        QCOMPARE(moved.points[0].logSnr, 7.0);
        QVERIFY(throwsWith([&] { movePoint(s, 3, {1, 1}); }, "no point 4"));
    }

    void badPointsAreRefusedWithMessages()
    {
        QVERIFY(throwsWith([] { threePoints(6).validate(); }, "log-SNR must decrease strictly"));
        QVERIFY(throwsWith([] { toScheduleSpec(threePoints(-7)); }, "control point 3"));
        QVERIFY(throwsWith([] { threePoints(std::nan("")).validate(); }, "not a finite number"));
        auto s = threePoints(0);
        s.points[2].t = 120;
        QVERIFY(throwsWith([&] { s.validate(); }, "t outside 1..100"));
        s = threePoints(0);
        s.points[0].t = 3;
        QVERIFY(throwsWith([&] { s.validate(); }, "first point must sit at t = 1"));
        s = threePoints(0);
        s.points[1].t = 1;
        QVERIFY(throwsWith([&] { s.validate(); }, "must lie after"));
        s.points = {{1, 1}};
        QVERIFY(throwsWith([&] { s.validate(); }, "at least 2 points"));
        QVERIFY(throwsWith([] { controlPointsFrom(Schedule(ScheduleSpec::pixelAware()), 5); }, "scalar schedule"));
        QVERIFY(throwsWith([] { controlPointsFrom(Schedule(ScheduleSpec::linear(10)), 11); }, "need 2..10 points"));
    }

    // The exported JSON is a schedule spec the trainer reads as is, plus the points; the betas
    // .npy multiplies back to ᾱ.
    void exportRoundTrips()
    {
        QTemporaryDir dir;
        const Schedule cosine(ScheduleSpec::cosine(200));
        const auto cps = controlPointsFrom(cosine, 9);
        const auto spec = toScheduleSpec(cps);
        const auto files = exportSchedule(spec, dir.filePath("edited").toStdString(), &cps);
        std::ifstream in(files.json);
        const auto j = nlohmann::json::parse(in);
        const auto read = scheduleSpecFromJson(j, files.json);
        QCOMPARE(read.kind, ScheduleKind::AlphasCumprod);
        QCOMPARE(read.values, spec.values);
        const auto points = controlPointScheduleFromJson(j, files.json);
        QCOMPARE(points.points.size(), cps.points.size());
        QCOMPARE(points.points[4].logSnr, cps.points[4].logSnr);
        QCOMPARE(points.interpolation, LogSnrInterpolation::MonotoneCubic);

        const auto betas = loadNpy(files.betas);
        QCOMPARE(betas.scalar_type(), at::kDouble);
        const auto abar = (1 - betas).cumprod(0);
        const auto expected = at::tensor(at::ArrayRef<double>(spec.values), at::kDouble);
        QVERIFY((abar - expected).abs().max().item<double>() < 1e-12);

        auto zero = ScheduleSpec::linear(100); // a preset with zero terminal SNR exports too
        zero.rescaleZeroTerminalSnr = true;
        const auto zfiles = exportSchedule(zero, dir.filePath("zero").toStdString());
        std::ifstream zin(zfiles.json);
        QVERIFY(scheduleSpecFromJson(nlohmann::json::parse(zin), zfiles.json).rescaleZeroTerminalSnr);
        QVERIFY(throwsWith([&] { exportSchedule(ScheduleSpec::pixelAware(), dir.filePath("p").toStdString()); },
                           "scalar schedule"));
        auto broken = j;
        broken["control_points"][3][1] = 99.0;
        QVERIFY(throwsWith([&] { controlPointScheduleFromJson(broken, "edited.json"); }, "edited.json: control-point"));
    }
};

DS_TEST_SUITE(ControlPointScheduleTest, "control_point_schedule");
#include "test_control_point_schedule.moc"
