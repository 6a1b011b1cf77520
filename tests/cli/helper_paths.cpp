// The helper binaries of the cli suites (see cli_runner.h). Their paths are compiled into this
// file alone, so the other test files' compile lines carry no clone-specific path (ccache).
#include "cli_runner.h"

namespace ds::test {

QString enospcShimPath() { return QStringLiteral(DIFFSCOPE_ENOSPC_SHIM); }
QString exportHelperPath() { return QStringLiteral(DIFFSCOPE_EXPORT_HELPER); }

} // namespace ds::test
