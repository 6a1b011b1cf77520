#!/usr/bin/env python3
"""Speed and memory of a DDPM-CIFAR-10-sized diffusers UNet2DModel (issue 12, item 8).

    /usr/bin/python3 scripts/bench_diffusers.py build/app/diffscope-cli WORKDIR [--threads 1]

1. `diffscope-cli bench --diffusers WORKDIR/cifar --random-from CONFIG` writes the folder
   (google/ddpm-cifar10-32's config, random weights, float32 safetensors);
2. `diffscope-cli --threads N bench --diffusers WORKDIR/cifar` opens it in a fresh process: load
   time, peak RSS over the weights' bytes, median network time per batch (1 and 8);
3. `diffscope-cli export-torchscript` writes its TorchScript twin, which PyTorch (torch.jit.load,
   the same thread count, no_grad) times on the same batch sizes, in a fresh process too;
4. prints a Markdown table for docs/benchmarks.md.
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONFIG = {
    "_class_name": "UNet2DModel", "act_fn": "silu", "attention_head_dim": None,
    "block_out_channels": [128, 256, 256, 256], "center_input_sample": False,
    "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
    "downsample_padding": 0, "flip_sin_to_cos": False, "freq_shift": 1, "in_channels": 3,
    "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-06, "norm_num_groups": 32,
    "out_channels": 3, "sample_size": 32, "time_embedding_type": "positional",
    "up_block_types": ["UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"],
}
BATCHES = (1, 8)
PASSES = 5


def run(*args):
    done = subprocess.run([*map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stdout


def torch_side(twin, threads):
    """Runs in a child process: load time, peak RSS (ru_maxrss) and median time per pass."""
    import torch

    torch.set_num_threads(threads)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    model = torch.jit.load(twin)
    load = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024
    out = {"load_seconds": load, "peak_rss_growth_bytes": peak, "seconds_per_pass": {}}
    with torch.no_grad():
        for batch in BATCHES:
            x = torch.randn(batch, 3, 32, 32)
            t = torch.randint(0, 1000, (batch,))
            times = []
            for i in range(PASSES + 2):
                start = time.perf_counter()
                model(x, t)
                if i >= 2:
                    times.append(time.perf_counter() - start)
            out["seconds_per_pass"][str(batch)] = statistics.median(times)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--torch-side", help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.torch_side:
        return torch_side(a.torch_side, a.threads)
    a.workdir.mkdir(parents=True, exist_ok=True)
    folder, twin = a.workdir / "cifar", a.workdir / "cifar_twin.pt"
    if not folder.exists():
        (a.workdir / "config.json").write_text(json.dumps(CONFIG, indent=2))
        run(a.cli, "bench", "--diffusers", folder, "--random-from", a.workdir / "config.json", "--seed", 0)
    ds_json = a.workdir / "diffscope.json"
    run(a.cli, "--threads", a.threads, "bench", "--diffusers", folder, "--batches", ",".join(map(str, BATCHES)),
        "--passes", PASSES, "--json", ds_json)
    ds = json.loads(ds_json.read_text())
    if not twin.exists():
        run(a.cli, "--threads", a.threads, "export-torchscript", "--checkpoint", folder, "--out", twin)
    pt = json.loads(run(sys.executable, __file__, a.cli, a.workdir, "--threads", a.threads, "--torch-side", twin))

    mb = 1e6
    print(f"{ds['parameters']} parameters, {ds['weight_bytes'] / mb:.1f} MB of {ds['weights_dtype']} weights, "
          f"{ds['flops_per_sample'] / 1e9:.2f} GFLOP per sample, {a.threads} thread(s)\n")
    print("| | diffscope (LibTorch, C++) | PyTorch, TorchScript twin |\n|---|---:|---:|")
    print(f"| load s | {ds['load_seconds']:.3f} | {pt['load_seconds']:.3f} |")
    print(f"| peak RSS growth during load, MB (× weights) | {ds['peak_rss_bytes'] / mb:.1f} "
          f"({ds['peak_rss_bytes'] / ds['weight_bytes']:.2f}×) | {pt['peak_rss_growth_bytes'] / mb:.1f} "
          f"({pt['peak_rss_growth_bytes'] / ds['weight_bytes']:.2f}×) |")
    for batch in BATCHES:
        d, p = ds["seconds_per_pass"][str(batch)], pt["seconds_per_pass"][str(batch)]
        print(f"| network ms per pass, batch {batch} (median of {PASSES}) | {1e3 * d:.1f} | {1e3 * p:.1f} |")


if __name__ == "__main__":
    main()
