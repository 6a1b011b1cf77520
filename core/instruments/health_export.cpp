#include "health_export.h"

#include "core/io/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iomanip>

namespace ds {
namespace {

nlohmann::json statsJson(const ValueStats& s) { return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}}; }

// The same document as app/cli/command_health.cpp's toJson.
nlohmann::json toJson(const HealthReport& r)
{
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : r.buckets)
        buckets.push_back({{"t_begin", b.tBegin}, {"t_end", b.tEnd}, {"mse", b.mse}, {"constant_mse", b.constantMse},
                           {"oracle_mse", std::isnan(b.oracleMse) ? nlohmann::json() : nlohmann::json(b.oracleMse)}});
    return {{"model", r.model}, {"target", r.target}, {"healthy", r.healthy()}, {"flags", r.flags},
            {"buckets", buckets}, {"data", statsJson(r.data)}, {"data_range", {r.range.lo, r.range.hi}},
            {"x0_at_T", statsJson(r.x0AtT)}, {"samples", statsJson(r.samples)},
            {"samples_outside_fraction", r.samplesOutside}, {"terminal_alpha_bar", r.terminalAlphaBar},
            {"prior_kl_per_pixel", r.priorKl}};
}

} // namespace

std::string healthReportJson(const HealthReport& report) { return toJson(report).dump(2); }

void saveHealthJson(const std::string& path, const HealthReport& report)
{
    writeFileAtomically(path, [&](std::ostream& out) { out << healthReportJson(report) << '\n'; });
}

void saveHealthCsv(const std::string& path, const HealthReport& report)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "t_begin,t_end,mse,constant_mse,oracle_mse\n" << std::setprecision(17);
        for (const auto& b : report.buckets)
            out << b.tBegin << ',' << b.tEnd << ',' << b.mse << ',' << b.constantMse << ',' << b.oracleMse << '\n';
    });
}

} // namespace ds
