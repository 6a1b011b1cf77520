#!/usr/bin/python3
"""diffscope against PyTorch on the same TorchScript model, in one run (issue 15).

    /usr/bin/python3 scripts/bench_compare_pytorch.py build/app/diffscope-cli /tmp/bench15 \
        [--model resources/demo/fashion_mnist_ddpm.dsckpt] [--steps 1000] [--n 4] [--threads 1,2] [--repeat 3]

1. `diffscope-cli export-torchscript` writes the model (a native checkpoint or a diffusers
   UNet2DModel folder) as TorchScript, WORK/model.pt.
2. DDPM-N sampling of n samples, wall time of the sampling loop only (model loaded, one warm-up
   call), median of --repeat runs, at each thread count:
   - diffscope: `diffscope-cli --threads T bench --checkpoint WORK/model.pt --runs ddpm:N --n n`
     (its own timer around runSampler), with the module frozen + optimize_for_inference (the
     default) and as saved (DIFFSCOPE_FREEZE=0);
   - PyTorch eager: a Python DDPM loop (posterior mean of Ho et al. eq. 7, x̂0 clipped to [-1, 1],
     σ² = β̃) driving torch.jit.load(model.pt) under torch.no_grad(), the way a PyTorch user runs
     an exported model;
   - PyTorch frozen: the same loop with torch.jit.optimize_for_inference(torch.jit.freeze(m))
     under torch.inference_mode(), PyTorch's own best path for this module.
   Each side also reports its time per network call (batch n), so the table shows whether the
   network or the loop around it dominates.
3. Training step: `diffscope-cli bench-train --preset P --batch B` (engine and raw LibTorch
   forward+backward+AdamW) beside PyTorch eager driving the same exported module in train mode
   (zero_grad, forward, MSE, backward, AdamW), median of every step.
Every PyTorch measurement runs in its own fresh process with torch.set_num_threads(T).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

PY_SAMPLE = textwrap.dedent(r'''
import json, sys, time, torch
path, steps, n, threads, mode, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
torch.set_num_threads(threads)
files = {"diffscope.json": ""}
m = torch.jit.load(path, _extra_files=files).eval()
if mode == "frozen":
    m = torch.jit.optimize_for_inference(torch.jit.freeze(m))
info = json.loads(files["diffscope.json"])
C, H, W = info["shape"]
sch = info["schedule"]; T = sch["T"]
betas = torch.linspace(sch["beta_start"], sch["beta_end"], T, dtype=torch.float64)
abar = torch.cumprod(1 - betas, 0)
ks = torch.linspace(T - 1, 0, steps).round().long().tolist() if steps != T else list(range(T - 1, -1, -1))
guard = torch.inference_mode if mode == "frozen" else torch.no_grad
def run(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, C, H, W, generator=g)
    calls = 0.0
    with guard():
        for i, k in enumerate(ks):
            a = abar[k].item(); an = abar[ks[i + 1]].item() if i + 1 < len(ks) else 1.0
            beta = 1 - a / an
            t0 = time.perf_counter()
            eps = m(x, torch.full((n,), k, dtype=torch.long))
            calls += time.perf_counter() - t0
            x0 = ((x - (1 - a) ** 0.5 * eps) / a ** 0.5).clamp(-1, 1)
            x = an ** 0.5 * beta / (1 - a) * x0 + (1 - beta) ** 0.5 * (1 - an) / (1 - a) * x
            if an < 1.0:
                x = x + ((1 - an) / (1 - a) * beta) ** 0.5 * torch.randn(n, C, H, W, generator=g)
    return calls
with guard():
    m(torch.zeros(n, C, H, W), torch.zeros(n, dtype=torch.long))  # warm-up (profiling executor)
    m(torch.zeros(n, C, H, W), torch.zeros(n, dtype=torch.long))
t0 = time.perf_counter(); net = run(seed); wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "network": net}))
''')

PY_TRAIN = textwrap.dedent(r'''
import json, sys, time, torch
path, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
files = {"diffscope.json": ""}
m = torch.jit.load(path, _extra_files=files).train()
for p in m.parameters():  # exported for inference: its parameters come back frozen
    p.requires_grad_(True)
C, H, W = json.loads(files["diffscope.json"])["shape"]
opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
x = torch.randn(batch, C, H, W); k = torch.randint(0, 1000, (batch,)); target = torch.randn_like(x)
times = []
for i in range(steps + 3):
    t0 = time.perf_counter()
    opt.zero_grad()
    ((m(x, k) - target) ** 2).mean().backward()
    opt.step()
    if i >= 3:
        times.append(time.perf_counter() - t0)
print(json.dumps({"step": sorted(times)[len(times) // 2]}))
''')


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def diffscope_sampling(cli, model, steps, n, threads, seed, freeze, work):
    """One run in a fresh process: (sampling wall s, s inside network calls), diffscope's own timers."""
    env = dict(os.environ)
    if not freeze:
        env["DIFFSCOPE_FREEZE"] = "0"
    js = os.path.join(work, f"bench_{threads}_{int(freeze)}_{seed}.json")
    run([cli, "--threads", str(threads), "bench", "--checkpoint", model, "--runs", f"ddpm:{steps}",
         "--n", str(n), "--seed", str(seed), "--json", js], env)
    row = json.load(open(js))[0]
    return row["seconds"], row["network_seconds"]


def pytorch_sampling(model, steps, n, threads, mode, seed):
    """One run in a fresh process (after two warm-up calls)."""
    out = run([sys.executable, "-c", PY_SAMPLE, model, str(steps), str(n), str(threads), mode, str(seed)])
    r = json.loads(out.strip().splitlines()[-1])
    return r["wall"], r["network"]


def diffscope_training(cli, preset, batch, steps, threads):
    out = run([cli, "--threads", str(threads), "bench-train", "--preset", preset, "--batch", str(batch),
               "--steps", str(steps), "--rounds", "3"])
    rows = {}
    for line in out.splitlines():
        if line.startswith("| engine"):
            rows["engine"] = float(line.split("|")[2]) / 1e3
        elif line.startswith("| raw"):
            rows["raw"] = float(line.split("|")[2]) / 1e3
    return rows


def pytorch_training(model, batch, steps, threads):
    out = run([sys.executable, "-c", PY_TRAIN, model, str(batch), str(steps), str(threads)])
    return json.loads(out.strip().splitlines()[-1])["step"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cli")
    p.add_argument("work")
    p.add_argument("--model", default="resources/demo/fashion_mnist_ddpm.dsckpt")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--n", type=int, default=4)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--train-preset", default="fashion-mnist-ddpm")
    p.add_argument("--train-batch", type=int, default=48)
    p.add_argument("--train-steps", type=int, default=5)
    p.add_argument("--skip-training", action="store_true")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    model = os.path.join(a.work, "model.pt")
    if not os.path.exists(model):
        print(run([a.cli, "export-torchscript", "--checkpoint", a.model, "--out", model]).strip())
    load = os.getloadavg()[0]
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load:.2f} at start; torch "
          f"{__import__('torch').__version__}; DDPM-{a.steps}, n = {a.n}, median of {a.repeat} interleaved rounds\n")
    print("| threads | path | sampling s | network s | ms per call | vs PyTorch eager |")
    print("|---:|---|---:|---:|---:|---:|")
    for t in [int(s) for s in a.threads.split(",")]:
        # Interleaved: round r runs every path once, so a load spike from other processes hits
        # one run of one path, and the median over rounds drops it.
        paths = [("PyTorch eager (torch.jit.load, no_grad)", lambda r: pytorch_sampling(model, a.steps, a.n, t, "eager", r)),
                 ("PyTorch frozen (freeze + optimize_for_inference)", lambda r: pytorch_sampling(model, a.steps, a.n, t, "frozen", r)),
                 ("diffscope, module as saved", lambda r: diffscope_sampling(a.cli, model, a.steps, a.n, t, r, False, a.work)),
                 ("diffscope, frozen (default)", lambda r: diffscope_sampling(a.cli, model, a.steps, a.n, t, r, True, a.work))]
        results = {name: ([], []) for name, _ in paths}
        for r in range(a.repeat):
            for name, fn in paths:
                wall, net = fn(r)
                results[name][0].append(wall)
                results[name][1].append(net)
        eager = statistics.median(results[paths[0][0]][0])
        for name, _ in paths:
            walls, nets = results[name]
            w, nt = statistics.median(walls), statistics.median(nets)
            print(f"| {t} | {name} | {w:.2f} | {nt:.2f} | {1e3 * nt / a.steps:.2f} | {w / eager:.2f}x |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end of sampling")
    if a.skip_training:
        return
    print(f"\ntraining step, preset {a.train_preset}, batch {a.train_batch}, median of every step\n")
    print("| threads | path | ms per step | images/s |")
    print("|---:|---|---:|---:|")
    for t in [int(s) for s in a.threads.split(",")]:
        d = diffscope_training(a.cli, a.train_preset, a.train_batch, a.train_steps, t)
        py = pytorch_training(model, a.train_batch, 3 * a.train_steps, t)
        for name, s in [("PyTorch eager, the exported module, AdamW", py),
                        ("diffscope raw LibTorch forward+backward+AdamW", d["raw"]),
                        ("diffscope engine (TrainingJob)", d["engine"])]:
            print(f"| {t} | {name} | {1e3 * s:.1f} | {a.train_batch / s:.1f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
