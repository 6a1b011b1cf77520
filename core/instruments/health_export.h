#pragma once
// The health report as files: JSON with the keys of `diffscope-cli health --json` and a CSV of
// the t buckets (t_begin, t_end, mse, constant_mse, oracle_mse; full precision, NaN where
// there is no oracle). Written atomically.
#include "core/instruments/health_report.h"

#include <string>

namespace ds {

std::string healthReportJson(const HealthReport& report); // indented like the CLI's --json
void saveHealthJson(const std::string& path, const HealthReport& report);
void saveHealthCsv(const std::string& path, const HealthReport& report);

} // namespace ds
