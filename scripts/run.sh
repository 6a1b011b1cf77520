#!/usr/bin/env bash
# Set up, build and start diffscope on its embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
./scripts/build.sh
if [ -x build/app/diffscope ]; then
  exec build/app/diffscope "$@"
fi
# Headless build: a CLI demo on the exact Fashion-MNIST denoiser (no download, no training).
mkdir -p out
build/app/diffscope-cli sample --checkpoint "oracle:fashion-mnist?n=2000" --sampler ddim --steps 50 --n 16 \
  --out out/samples.npy --trajectory out/trajectory.npy --trajectory-frames 11 --png out/samples.png
echo "samples: out/samples.png, out/samples.npy; trajectory: out/trajectory.npy"
