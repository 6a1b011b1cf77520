#include "checkpoint_rotation.h"

#include "core/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <unistd.h>

namespace ds {

std::vector<std::string> stepCheckpoints(const std::string& dir)
{
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (name.rfind("step_", 0) == 0 && entry.path().extension() == ".dsckpt")
            out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end()); // zero-padded step numbers sort by step
    return out;
}

void rotateCheckpoints(const std::string& dir, int64_t keep, const std::string& newest)
{
    namespace fs = std::filesystem;
    auto all = stepCheckpoints(dir);
    std::error_code ec;
    for (size_t i = 0; i + size_t(keep) < all.size(); ++i)
        fs::remove(all[i], ec);
    const auto latest = (fs::path(dir) / "latest.dsckpt").string();
    const auto temp = tempPathFor(latest);
    fs::remove(temp, ec);
    if (::link(newest.c_str(), temp.c_str()) == 0)
        fs::rename(temp, latest, ec);
}

} // namespace ds
