"""diffusers models leave diffscope for PyTorch: `export-torchscript` on a diffusers UNet2DModel
folder (fixture A, made by diffusers itself) writes a file torch.jit.load opens, with its
diffscope.json, whose forward matches diffusers' own UNet outputs; and `convert` writes a
folder whose safetensors file a plain reader (numpy, the format's spec) reads back as the
weights the TorchScript twin of that folder holds."""
import json
import os
import struct
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
FIXTURES = Path(os.environ.get("DIFFSCOPE_FIXTURES_DIR", Path(__file__).resolve().parents[3] / "shared" / "fixtures"))
FIXTURE_A = FIXTURES / "diffusers" / "A"


def cli(*args):
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def load_scripted(path):
    extra = {"diffscope.json": ""}
    model = torch.jit.load(str(path), _extra_files=extra)
    return model, json.loads(extra["diffscope.json"])


def read_safetensors(path):
    """The format: u64 little-endian header length, JSON header, raw little-endian bytes."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype="<f4").reshape(entry["shape"])
    return out


def check_fixture_export(tmp):
    cli("export-torchscript", "--checkpoint", FIXTURE_A, "--out", tmp / "a.pt")
    model, header = load_scripted(tmp / "a.pt")
    assert header["prediction"] == "epsilon" and header["shape"] == [1, 16, 16], header
    assert header["schedule"]["kind"] == "linear" and header["schedule"]["T"] == 1000, header
    x = torch.from_numpy(np.load(FIXTURE_A / "fwd_x.npy"))
    worst = 0.0
    with torch.no_grad():
        for stem in ("fwd_t0", "fwd_t1"):
            t = torch.from_numpy(np.load(FIXTURE_A / f"{stem}.npy")).long()
            want = np.load(FIXTURE_A / f"{stem}_out_f32.npy")
            got = model(x, t).numpy()
            rel = np.abs(got - want).max() / np.abs(want).max()
            assert rel <= 1e-4, f"{stem}: exported UNet differs from diffusers by {rel:.2e} (relative)"
            worst = max(worst, rel)
    return worst


def check_convert(tmp):
    network = {"kind": "diffusers-unet", "config": {
        "block_out_channels": [8, 16], "layers_per_block": 1, "norm_num_groups": 4, "attention_head_dim": 4,
        "down_block_types": ["DownBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "UpBlock2D"]}}
    cli("train", "--dataset", "fashion-mnist", "--dataset-limit", 64, "--network", json.dumps(network), "--batch", 4,
        "--steps", 3, "--output-dir", tmp, "--name", "d", "--preview-every", 0, "--quiet")
    cli("convert", "--checkpoint", tmp / "d" / "latest.dsckpt", "--out", tmp / "folder")
    config = json.loads((tmp / "folder" / "unet" / "config.json").read_text())
    assert config["_class_name"] == "UNet2DModel" and config["in_channels"] == 1 and config["sample_size"] == 28, config
    weights = read_safetensors(tmp / "folder" / "unet" / "diffusion_pytorch_model.safetensors")
    cli("export-torchscript", "--checkpoint", tmp / "folder", "--out", tmp / "f.pt")
    model, header = load_scripted(tmp / "f.pt")
    params = dict(model.named_parameters())
    assert len(params) == len(weights), (len(params), len(weights))
    for name, value in weights.items():
        assert np.array_equal(params[name.replace(".", "_")].detach().numpy(), value), name
    return len(weights)


def main():
    assert FIXTURE_A.is_dir(), f"no fixture folder {FIXTURE_A}"
    with tempfile.TemporaryDirectory() as tmp:
        worst = check_fixture_export(Path(tmp))
        tensors = check_convert(Path(tmp))
    print("diffusers export interop: ok (fixture A max relative difference %.2e; %d converted tensors)" % (worst, tensors))


if __name__ == "__main__":
    main()
