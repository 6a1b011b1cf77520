#!/usr/bin/env bash
# Set up a fresh Debian bookworm machine, build everything and run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
./scripts/build.sh
cd build
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 -j "${DIFFSCOPE_JOBS:-2}"
cd ..
# Fuzz every parser of outside bytes for a bounded time (tests/fuzz/run.sh: 12 targets, 30 s each,
# two at a time, then the mutated checkpoints; DIFFSCOPE_FUZZ_SECONDS changes it, DIFFSCOPE_FUZZ=0 skips it).
if [ "${DIFFSCOPE_FUZZ:-1}" != 0 ]; then
  ./tests/fuzz/run.sh
fi
