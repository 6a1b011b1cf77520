#include "csv.h"

#include "atomic_file.h"
#include "models/error.h"

#include <ATen/ATen.h>

#include <iomanip>
#include <limits>

namespace ds {

void saveCsv(const std::string& path, const std::vector<std::string>& columns, const at::Tensor& table)
{
    require(table.dim() == 2 && table.size(1) == int64_t(columns.size()),
            path + ": CSV table must be [rows, " + std::to_string(columns.size()) + "]");
    auto data = table.detach().cpu().to(at::kDouble).contiguous();
    const auto* v = data.data_ptr<double>();
    writeFileAtomically(path, [&](std::ostream& out) {
        for (size_t c = 0; c < columns.size(); ++c)
            out << (c ? "," : "") << columns[c];
        out << '\n' << std::setprecision(std::numeric_limits<double>::max_digits10);
        for (int64_t r = 0; r < data.size(0); ++r) {
            for (int64_t c = 0; c < data.size(1); ++c)
                out << (c ? "," : "") << v[r * data.size(1) + c];
            out << '\n';
        }
    });
}

} // namespace ds
