#!/usr/bin/env bash
# Configures and builds diffscope into ./build (Release with debug info, Ninja, ccache when
# present). Extra arguments go to CMake, e.g. -DDIFFSCOPE_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja "${launcher[@]}" "$@"
# Two jobs: a torch translation unit takes ~1 GB of memory and the machines have 2 cores.
cmake --build build --parallel "${DIFFSCOPE_JOBS:-2}"
