"""A model exported from PyTorch the way the README shows runs in diffscope-cli; its samples
load in NumPy; and a seeded DDPM run replays in PyTorch from the documented noise order: the
frozen run (diffscope's default: torch.jit.freeze + optimize_for_inference at load) against the
same frozen module in PyTorch, and with DIFFSCOPE_FREEZE=0 against the module as saved."""
import json
import os
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


class TinyEps(torch.nn.Module):
    """A small convolutional ε-model with a time input: enough to exercise the interface."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 1, 3, padding=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.conv1(x) + (t.float() / 1000.0).view(-1, 1, 1, 1))
        return 0.3 * self.conv2(h)


def export(path):
    torch.manual_seed(0)
    model = TinyEps().eval()
    header = {"format": 1, "prediction": "epsilon",
              "schedule": {"kind": "linear", "T": 1000, "beta_start": 0.0001, "beta_end": 0.02},
              "shape": [1, 8, 8], "data_range": [-1, 1]}
    torch.jit.save(torch.jit.script(model), str(path), _extra_files={"diffscope.json": json.dumps(header)})
    return model


def cli(*args, env=None):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done


def replay_ddpm(model, seed, n, steps):
    """DDPM (σ² = β̃) on the trailing grid, noise drawn in diffscope's documented order."""
    T = 1000
    abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, T, dtype=torch.float64), 0)
    grid = [round(T - j * T / steps) - 1 for j in range(steps)]
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((n, 1, 8, 8), generator=g)                     # 1. x_T
    with torch.no_grad():
        for i, k in enumerate(grid):
            k_next = grid[i + 1] if i + 1 < steps else -1
            a, a_next = abar[k].item(), (abar[k_next].item() if k_next >= 0 else 1.0)
            beta = 1 - a / a_next
            eps = model(x, torch.full((n,), k, dtype=torch.long))
            x0 = (x - (1 - a) ** 0.5 * eps) / a ** 0.5
            mean = (a_next ** 0.5 * beta / (1 - a)) * x0 + ((1 - beta) ** 0.5 * (1 - a_next) / (1 - a)) * x
            if k_next < 0:
                return mean
            sigma = ((1 - a_next) / (1 - a) * beta) ** 0.5
            x = mean + sigma * torch.randn((n, 1, 8, 8), generator=g)  # 2. one draw per noisy step


def ulps(samples, count):
    """`count` float32 ulps at the samples' largest magnitude: a random tiny ε-model's DDPM run
    ends far outside [-1, 1] (the last step divides by sqrt(alpha_bar)), so absolute error is
    measured in the samples' own rounding unit; the kernels' summation order differs by a few."""
    return count * float(np.spacing(np.float32(np.abs(samples).max())))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = export(tmp / "tiny.pt")
        info = json.loads(cli("info", tmp / "tiny.pt", "--json").stdout)
        assert info["prediction"] == "epsilon" and info["shape"] == [1, 8, 8], info
        assert info["parameters"] == sum(p.numel() for p in model.parameters()), info

        run = ["sample", "--checkpoint", tmp / "tiny.pt", "--sampler", "ddpm", "--steps", 30, "--n", 4,
               "--seed", 123, "--spacing", "trailing", "--quiet"]
        cli(*run, "--out", tmp / "s.npy", "--trajectory", tmp / "traj.npy")
        samples = np.load(tmp / "s.npy")
        assert samples.shape == (4, 1, 8, 8) and samples.dtype == np.float32, samples.shape
        assert np.isfinite(samples).all()
        traj = np.load(tmp / "traj.npy")
        assert traj.shape == (31, 4, 1, 8, 8) and np.load(tmp / "traj.t.npy")[-1] == 0

        saved = torch.jit.load(str(tmp / "tiny.pt")).eval()
        frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(str(tmp / "tiny.pt")).eval()))
        err = np.abs(samples - replay_ddpm(frozen, seed=123, n=4, steps=30).float().numpy()).max()
        tolerance = ulps(samples, 4)
        assert err <= tolerance, f"PyTorch replay of the frozen module differs by {err} (> {tolerance})"

        cli(*run, "--out", tmp / "u.npy", env=dict(os.environ, DIFFSCOPE_FREEZE="0"))
        unfrozen = np.load(tmp / "u.npy")
        err_saved = np.abs(unfrozen - replay_ddpm(saved, seed=123, n=4, steps=30).float().numpy()).max()
        assert err_saved <= tolerance, f"PyTorch replay of the saved module differs by {err_saved} (> {tolerance})"
        # Freezing changes rounding, not the model: the two runs agree to a few ulps.
        drift = np.abs(samples - unfrozen).max()
        assert drift <= ulps(samples, 8), f"frozen and saved runs differ by {drift}"

        # x_T written by NumPy (float64, C order) is accepted with --init.
        x_T = np.random.default_rng(0).standard_normal((2, 1, 8, 8))
        np.save(tmp / "xT.npy", x_T)
        cli("sample", "--checkpoint", tmp / "tiny.pt", "--sampler", "dpmpp-2m", "--steps", 10,
            "--init", tmp / "xT.npy", "--out", tmp / "d.npy", "--quiet")
        assert np.load(tmp / "d.npy").shape == (2, 1, 8, 8)
    print("torchscript interop: ok (replay error frozen %.2e, saved %.2e; frozen vs saved %.2e; 4 ulps = %.2e)"
          % (err, err_saved, drift, tolerance))


if __name__ == "__main__":
    main()
