#pragma once
// Where shipped files (demo checkpoints, the FID-proxy classifier) live: $DIFFSCOPE_RESOURCES
// if set, else the source tree's resources/ folder known at build time.
#include <string>

namespace ds {

std::string resourceDir();
// resourceDir()/name; does not check that the file exists.
std::string resourcePath(const std::string& name);

} // namespace ds
