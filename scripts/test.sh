#!/usr/bin/env bash
# Set up a fresh Debian bookworm machine, build everything and run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
./scripts/build.sh
cd build
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 -j "${DIFFSCOPE_JOBS:-2}"
