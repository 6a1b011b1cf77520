#include "checkpoint_rotation.h"

#include "core/io/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <unistd.h>

namespace ds {
namespace {

// The step of "step_00001000.dsckpt"; -1 for other names.
int64_t stepOf(const std::string& path)
{
    const auto name = std::filesystem::path(path).filename().string();
    try {
        return std::stoll(name.substr(5));
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace

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
    // Only this run's history counts: a step beyond `newest` was written by an earlier, longer
    // run that this one resumed from an older checkpoint; it is left alone, not counted.
    const int64_t newestStep = stepOf(newest);
    std::vector<std::string> ours;
    for (const auto& path : stepCheckpoints(dir))
        if (stepOf(path) >= 0 && stepOf(path) <= newestStep)
            ours.push_back(path);
    std::error_code ec;
    for (size_t i = 0; i + size_t(std::max<int64_t>(keep, 1)) < ours.size(); ++i)
        fs::remove(ours[i], ec);
    const auto latest = (fs::path(dir) / "latest.dsckpt").string();
    const auto temp = tempPathFor(latest);
    fs::remove(temp, ec);
    if (::link(newest.c_str(), temp.c_str()) == 0)
        fs::rename(temp, latest, ec);
}

} // namespace ds
