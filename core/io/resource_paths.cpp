#include "resource_paths.h"

#include <cstdlib>
#include <filesystem>

namespace ds {

std::string resourceDir()
{
    const char* env = std::getenv("DIFFSCOPE_RESOURCES");
    return env && *env ? env : DIFFSCOPE_SOURCE_RESOURCES;
}

std::string resourcePath(const std::string& name) { return (std::filesystem::path(resourceDir()) / name).string(); }

} // namespace ds
