"""What diffscope trains, PyTorch can use: a checkpoint trained by `diffscope-cli train`,
exported with `export-torchscript`, loads with torch.jit.load, carries its diffscope.json, and
a DDIM run replayed in PyTorch on the exported module matches `diffscope-cli sample` on the
native checkpoint."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import numpy as np
    import torch
except ImportError:
    sys.exit(77)

CLI = sys.argv[1]


def cli(*args):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def ddim(model, header, x, steps):
    """Deterministic DDIM (η = 0) on the trailing grid, ε-prediction."""
    s = header["schedule"]
    T = s["T"]
    abar = torch.cumprod(1 - torch.linspace(s["beta_start"], s["beta_end"], T, dtype=torch.float64), 0)
    grid = [round(T - j * T / steps) - 1 for j in range(steps)]
    with torch.no_grad():
        for i, k in enumerate(grid):
            a = abar[k].item()
            a_next = abar[grid[i + 1]].item() if i + 1 < steps else 1.0
            eps = model(x, torch.full((x.shape[0],), k, dtype=torch.long))
            x0 = (x - (1 - a) ** 0.5 * eps) / a ** 0.5
            x = a_next ** 0.5 * x0 + (1 - a_next) ** 0.5 * eps
    return x


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cli("train", "--dataset", "two-moons", "--network", '{"kind":"mlp","hidden":32,"layers":2,"time_dim":8}',
            "--steps", 30, "--output-dir", tmp, "--name", "tiny", "--preview-every", 0, "--quiet")
        ckpt = tmp / "tiny" / "latest.dsckpt"
        cli("export-torchscript", ckpt, tmp / "tiny.pt")
        extra = {"diffscope.json": ""}
        model = torch.jit.load(str(tmp / "tiny.pt"), _extra_files=extra)
        header = json.loads(extra["diffscope.json"])
        assert header["prediction"] == "epsilon" and header["shape"] == [2, 1, 1], header

        cli("sample", "--checkpoint", ckpt, "--sampler", "ddim", "--steps", 10, "--spacing", "trailing",
            "--seed", 3, "--n", 8, "--out", tmp / "s.npy", "--quiet")
        x_T = torch.randn((8, 2, 1, 1), generator=torch.Generator().manual_seed(3))
        expected = ddim(model, header, x_T, 10).numpy()
        err = np.abs(np.load(tmp / "s.npy") - expected).max()
        assert err < 1e-4, f"exported model's DDIM differs by {err}"
    print("export interop: ok (max difference %.2e)" % err)


if __name__ == "__main__":
    main()
