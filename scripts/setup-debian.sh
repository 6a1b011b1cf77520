#!/usr/bin/env bash
# Installs the Debian bookworm packages diffscope builds, runs and tests with. Idempotent:
# packages already present are left alone. Uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config   # toolchain
  libtorch-dev                                          # LibTorch 1.13 (CPU): tensors, autograd, TorchScript
  qt6-base-dev qt6-charts-dev qt6-svg-dev                 # the desktop app, Qt Charts, SVG export, Qt Test
  libopencv-dev                                         # image files and MP4 export (core, imgproc, imgcodecs, videoio)
  libgif-dev                                            # GIF export
  nlohmann-json3-dev                                    # JSON headers of checkpoints and TorchScript extras
  libcli11-dev                                          # diffscope-cli's command line
  zlib1g-dev                                            # gzipped IDX files
  dataset-fashion-mnist                                 # Fashion-MNIST (gzipped IDX) in /usr/share/datasets
  python3-skimage                                       # sample colour photos for the SNR views
  python3-numpy python3-torch                           # interop tests: numpy.load, models exported from PyTorch
  xvfb xauth                                            # headless screenshots and GUI tests
  clang libclang-rt-14-dev llvm                         # tests/fuzz: libFuzzer, ASan/UBSan runtimes, llvm-symbolizer
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
