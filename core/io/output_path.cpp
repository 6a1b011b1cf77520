#include "output_path.h"

#include "models/error.h"

#include <filesystem>
#include <unistd.h>

namespace ds {
namespace {

namespace fs = std::filesystem;

// Same file, also through another spelling or a link; a missing path equals nothing.
bool sameFile(const std::string& a, const std::string& b)
{
    std::error_code ec;
    return fs::equivalent(a, b, ec) && !ec;
}

} // namespace

void requireWritableOutput(const std::string& path, const std::string& what, const std::vector<std::string>& inputs)
{
    const auto where = what + " " + path;
    require(!path.empty(), what + ": the output path is empty");
    std::error_code ec;
    require(!fs::is_directory(path, ec), where + ": is a directory; give a file name");
    const auto parent = fs::path(path).parent_path();
    const auto folder = parent.empty() ? fs::path(".") : parent;
    require(fs::exists(folder, ec), where + ": folder " + folder.string() + " does not exist");
    require(fs::is_directory(folder, ec), where + ": " + folder.string() + " is not a folder");
    require(::access(folder.c_str(), W_OK | X_OK) == 0, where + ": folder " + folder.string() + " is not writable");
    for (const auto& input : inputs)
        require(input.empty() || !sameFile(path, input), where + ": is also an input of this command; it would be overwritten");
}

} // namespace ds
