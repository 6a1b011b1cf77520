#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/): small valid files
of each format plus a few near misses. Run once with Debian's python3 (numpy, torch); the
output is committed. Inputs that fuzzing found are added by hand as crash-<what> files."""
import gzip
import io
import json
import os
import struct
import sys
import zipfile
import zlib

import numpy as np
import torch

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def npy():
    put("npy", "f4_2x3.npy", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3)))
    put("npy", "f2_scalar.npy", npy_bytes(np.array(1.5, dtype="<f2")))
    put("npy", "f8_1d.npy", npy_bytes(np.linspace(0, 1, 5)))
    put("npy", "i8_1d.npy", npy_bytes(np.arange(4, dtype="<i8")))
    put("npy", "i4_empty.npy", npy_bytes(np.zeros((0, 3), dtype="<i4")))
    put("npy", "u1_4d.npy", npy_bytes(np.arange(8, dtype="u1").reshape(1, 2, 2, 2)))
    put("npy", "b1.npy", npy_bytes(np.array([True, False, True])))
    put("npy", "i1.npy", npy_bytes(np.array([-1, 2], dtype="i1")))
    put("npy", "v2_f4.npy", npy_bytes(np.ones((2, 2), dtype="<f4"), version=(2, 0)))
    put("npy", "v3_f4.npy", npy_bytes(np.ones((1,), dtype="<f4"), version=(3, 0)))
    put("npy", "fortran.npy", npy_bytes(np.asfortranarray(np.ones((2, 3), dtype="<f4"))))
    put("npy", "big_endian.npy", npy_bytes(np.ones(3, dtype=">f4")))


def idx_bytes(array):
    head = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return head + array.astype(np.uint8).tobytes()


def idx():
    images = np.arange(2 * 3 * 3).reshape(2, 3, 3)
    put("idx", "images_2x3x3.idx", idx_bytes(images))
    put("idx", "labels_4.idx", idx_bytes(np.array([0, 1, 9, 3])))
    put("idx", "images_2x3x3.idx.gz", gzip.compress(idx_bytes(images), mtime=0))
    put("idx", "labels.gz", gzip.compress(idx_bytes(np.arange(10)), mtime=0))
    put("idx", "float_type.idx", bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b"\0\0\0\0")


def safetensors_bytes(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors():
    f32 = np.arange(6, dtype="<f4").tobytes()
    put("safetensors", "f32.safetensors", safetensors_bytes({"w": ("F32", [2, 3], f32)}, {"format": "pt"}))
    put("safetensors", "mixed.safetensors", safetensors_bytes({
        "a": ("F16", [2], np.array([1, -2], dtype="<f2").tobytes()),
        "b": ("BF16", [1], b"\x80\x3f"),
        "c": ("I64", [2], np.array([7, -1], dtype="<i8").tobytes()),
        "d": ("BOOL", [3], b"\x01\x00\x01"),
        "e": ("F64", [], np.array(3.0).tobytes()),
        "f": ("I32", [0, 2], b""),
        "g": ("U8", [2], b"\x05\xff"),
    }))
    put("safetensors", "empty.safetensors", safetensors_bytes({}))


def torch_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def state_dicts():
    torch.manual_seed(0)
    linear = torch.nn.Linear(2, 3)
    items = {
        "linear_state_dict.bin": linear.state_dict(),
        "plain_dict.bin": {"w": torch.ones(2, 2), "b": torch.zeros(3, dtype=torch.float16), "n": torch.arange(3)},
        "shared_storage.bin": (lambda t: {"x": t, "y": t[1:]})(torch.arange(4.0)),
        "not_a_dict.bin": torch.ones(2),
    }
    for name, obj in items.items():
        data = torch_bytes(obj)
        put("state_dict", name, data)
        put("zip_archive", name, data)


def zip_archives():
    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor(0.5))

        def forward(self, x, t):
            return x * self.w

    buf = io.BytesIO()
    header = {"format": 1, "prediction": "epsilon", "schedule": {"kind": "linear", "T": 1000}, "shape": [1, 2, 2]}
    torch.jit.save(torch.jit.script(Tiny()), buf, _extra_files={"diffscope.json": json.dumps(header)})
    put("zip_archive", "tiny_torchscript.pt", buf.getvalue())


def headers():
    base = {"created": "2026-11-27T13:19:41Z", "data_range": [-4.0, 4.0], "dataset": "two-moons", "extra": {},
            "format": "diffscope-checkpoint", "kind": "denoiser",
            "network": {"dims": 2, "hidden": 128, "kind": "mlp", "layers": 4, "time_dim": 32},
            "prediction": "epsilon", "schedule": {"T": 1000, "beta_end": 0.02, "beta_start": 0.0001, "kind": "linear"},
            "shape": [2, 1, 1], "step": 6000, "training": training_config(), "training_state": False, "version": 1}
    put("checkpoint_header", "two_moons.json", json.dumps(base))
    pixel = dict(base, schedule={"kind": "pixel-aware", "T": 200, "gamma": 20, "epsilon": 0.004},
                 shape=[1, 28, 28], data_range=[0.004, 1], training_state=True, prediction="x0")
    put("checkpoint_header", "pixel_aware.json", json.dumps(pixel))
    table = dict(base, schedule={"kind": "betas", "T": 4, "betas": [0.1, 0.2, 0.3, 0.4]}, prediction="v",
                 kind="classifier", extra={"test_accuracy": 0.9})
    put("checkpoint_header", "betas_table.json", json.dumps(table))
    put("checkpoint_header", "cosine.json", json.dumps(dict(base, schedule={"kind": "cosine", "T": 1000, "s": 0.008})))
    put("checkpoint_header", "old_version.json", json.dumps(dict(base, version=2)))

    ts = {"format": 1, "prediction": "epsilon", "schedule": {"kind": "linear", "T": 1000}, "shape": [1, 28, 28],
          "data_range": [-1, 1], "dataset": "fashion-mnist"}
    put("diffscope_json", "linear.json", json.dumps(ts, indent=2))
    put("diffscope_json", "cosine_v.json", json.dumps(dict(ts, prediction="v", schedule={"kind": "cosine", "T": 500})))
    put("diffscope_json", "scaled_x0.json", json.dumps(dict(ts, prediction="x0", shape=[3, 8, 8], schedule={
        "kind": "scaled-linear", "T": 1000, "beta_start": 0.00085, "beta_end": 0.012, "rescale_zero_terminal_snr": True})))
    put("diffscope_json", "alphas.json", json.dumps(dict(ts, schedule={"kind": "alphas-cumprod", "T": 3,
                                                                       "alphas_cumprod": [0.9, 0.5, 0.1]})))


def training_config(**changes):
    c = {"batch": 256, "checkpoint_every": 2000, "dataset": "two-moons", "dataset_limit": 0, "device": "cpu",
         "dnm_steps": 20, "ema_decay": 0.995, "grad_clip": 1.0, "keep_checkpoints": 3, "lr": 0.001,
         "min_lr_ratio": 0.05, "mixed_precision": True, "name": "two-moons",
         "network": {"dims": 2, "hidden": 128, "kind": "mlp", "layers": 4, "time_dim": 32}, "objective": "denoise",
         "output_dir": "runs", "prediction": "epsilon", "preview_count": 512, "preview_every": 0,
         "schedule": {"T": 1000, "beta_end": 0.02, "beta_start": 0.0001, "kind": "linear"}, "seed": 0,
         "steps": 6000, "teacher": "", "teacher_paths": 1024, "warmup": 200, "weight_decay": 0.0}
    c.update(changes)
    return c


def training_configs():
    put("training_config", "two_moons.json", json.dumps(training_config(), indent=2))
    put("training_config", "minimal.json", json.dumps({"dataset": "checkerboard", "steps": 10}))
    put("training_config", "pixel_aware.json", json.dumps(training_config(
        objective="pixel-aware", dataset="fashion-mnist",
        schedule={"kind": "pixel-aware", "T": 200, "gamma": 20, "epsilon": 0.004},
        network={"kind": "pixel-aware", "scale": {"kind": "unet"}, "reverse": {"kind": "unet"}})))
    put("training_config", "dnm_distilled.json", json.dumps(training_config(
        objective="dnm-distilled", teacher="oracle:two-moons", dnm_steps=10)))
    put("training_config", "unknown_key.json", json.dumps({"stepz": 3}))


def diffusers():
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "fixtures",
                            "diffusers", "A")
    for name in ("scheduler_config.json", "ddim_scheduler_config.json"):
        with open(os.path.join(fixtures, name), "rb") as f:
            put("diffusers_scheduler", name, f.read())
    with open(os.path.join(fixtures, "config.json"), "rb") as f:
        put("diffusers_config", "fixture_A_config.json", f.read())
    schedulers = {
        "ddpm_cosine.json": {"_class_name": "DDPMScheduler", "beta_schedule": "squaredcos_cap_v2",
                             "num_train_timesteps": 1000, "prediction_type": "epsilon", "variance_type": "fixed_small",
                             "clip_sample": True, "clip_sample_range": 1.0},
        "euler_scaled.json": {"_class_name": "EulerDiscreteScheduler", "beta_schedule": "scaled_linear",
                              "beta_start": 0.00085, "beta_end": 0.012, "timestep_spacing": "leading",
                              "steps_offset": 1, "prediction_type": "v_prediction"},
        "dpm_thresholding.json": {"_class_name": "DPMSolverMultistepScheduler", "thresholding": True,
                                  "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1.5,
                                  "rescale_betas_zero_snr": True, "timestep_spacing": "trailing"},
        "trained_betas.json": {"_class_name": "DDIMScheduler", "num_train_timesteps": 3,
                               "trained_betas": [0.1, 0.2, 0.3], "set_alpha_to_one": False},
        "learned_variance.json": {"_class_name": "DDPMScheduler", "variance_type": "learned_range"},
    }
    for name, config in schedulers.items():
        put("diffusers_scheduler", name, json.dumps(config))


def spec_strings():
    for i, text in enumerate(["oracle:fashion-mnist?n=2000", "oracle:two-moons", "oracle:gaussian?mean=0.5&std=2",
                              "oracle:fashion-mnist?n=64&schedule=cosine&T=500",
                              "oracle:pixel?schedule=pixel-aware&gamma=20&epsilon=0.004",
                              "head?=x&a=&b=1e308&n=-9223372036854775808", "?&&&", "oracle:x?n=1.5"]):
        put("spec_string", "spec%02d.txt" % i, text)


def png_bytes(width, height, channels, pixels=None, claimed=None):
    """A PNG written by hand (8-bit gray or RGB); `claimed` (w, h) puts other sizes in IHDR."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    if pixels is None:
        pixels = bytes((x * 37 + y * 11 + c * 90) % 256 for y in range(height) for x in range(width) for c in range(channels))
    rows = b"".join(b"\0" + pixels[y * width * channels:(y + 1) * width * channels] for y in range(height))
    w, h = claimed or (width, height)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def bmp_bytes(width, height):
    """A 24-bit bottom-up BMP."""
    stride = (width * 3 + 3) // 4 * 4
    rows = b"".join(bytes((x * 50 + y * 20 + c * 70) % 256 for x in range(width) for c in range(3)).ljust(stride, b"\0")
                    for y in range(height))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + len(rows), 0, 0, 14 + len(info)) + info + rows


def images():
    # The first byte is the target's options (bit 0 gray, bit 1 resize to 16, bit 2 range [0, 1]).
    put("image", "rgb_8x6.png", b"\0" + png_bytes(8, 6, 3))
    put("image", "gray_5x9_resized.png", b"\3" + png_bytes(5, 9, 1))
    put("image", "strip_1x300_resized.png", b"\2" + png_bytes(300, 1, 1))
    put("image", "claims_60000x60000.png", b"\0" + png_bytes(4, 4, 3, claimed=(60000, 60000)))
    put("image", "truncated.png", b"\0" + png_bytes(8, 8, 3)[:60])
    put("image", "rgb_7x5.bmp", b"\4" + bmp_bytes(7, 5))
    put("image", "gray_4x3.pgm", b"\1" + b"P5 4 3 255\n" + bytes(range(0, 240, 20)))
    put("image", "rgb_3x2.ppm", b"\6" + b"P6\n3 2\n255\n" + bytes(range(0, 252, 14)))
    put("image", "ascii_2x2.pbm", b"\0" + b"P1\n2 2\n0 1\n1 0\n")
    try:  # JPEG needs an encoder: Pillow where Debian's python3 has it
        from PIL import Image
        buf = io.BytesIO()
        Image.frombytes("RGB", (8, 8), png_bytes(8, 8, 3)[:192].ljust(192, b"\0")).save(buf, "JPEG", quality=80)
        put("image", "rgb_8x8.jpg", b"\0" + buf.getvalue())
    except ImportError:
        pass


def networks():
    """Network configs of every kind: the demo checkpoints' own (their headers' "network"), the
    diffusers fixture's config.json, and tiny ones the fuzz target can build and run."""
    demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "demo")
    seen = set()
    for name in sorted(os.listdir(demo)):
        if not name.endswith(".dsckpt"):
            continue
        with zipfile.ZipFile(os.path.join(demo, name)) as z:  # the header is a JSON string in data.pkl
            pickled = z.read(next(n for n in z.namelist() if n.endswith("/data.pkl"))).decode("latin1")
        header, _ = json.JSONDecoder().raw_decode(pickled[pickled.index('{"created"'):])
        text = json.dumps(header["network"])
        if text not in seen:  # the toy demos share one MLP config
            seen.add(text)
            put("network_config", "demo_" + name.replace(".dsckpt", ".json"), text)
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "fixtures",
                            "diffusers", "A")
    with open(os.path.join(fixtures, "config.json")) as f:
        fixture = json.load(f)
    put("network_config", "diffusers_fixture_A.json", json.dumps({"kind": "diffusers-unet", "config": fixture}))
    unet = {"kind": "unet", "channels": 1, "image_size": 8, "base_channels": 8, "multipliers": [1, 2], "res_blocks": 1,
            "attention_resolutions": [4], "groups": 4, "dropout": 0.0}
    put("network_config", "unet_tiny.json", json.dumps(unet))
    put("network_config", "mlp_tiny.json", json.dumps({"kind": "mlp", "dims": 3, "hidden": 8, "layers": 2, "time_dim": 4}))
    put("network_config", "classifier_tiny.json", json.dumps({"kind": "classifier", "channels": 1, "image_size": 8,
                                                              "width": 8, "features": 4, "classes": 2}))
    put("network_config", "pixel_aware_tiny.json", json.dumps({"kind": "pixel-aware", "channels": 1, "image_size": 8,
                                                               "steps": 2, "scale": unet, "reverse": {"base_channels": 8,
                                                               "multipliers": [1], "groups": 2}}))
    tiny = dict(fixture, block_out_channels=[8, 16], norm_num_groups=4, attention_head_dim=4, sample_size=4)
    variants = {
        "diffusers_tiny.json": tiny,
        "diffusers_resnet_resample.json": dict(tiny, down_block_types=["ResnetDownsampleBlock2D", "AttnDownBlock2D"],
                                               up_block_types=["AttnUpBlock2D", "ResnetUpsampleBlock2D"],
                                               resnet_time_scale_shift="scale_shift", time_embedding_type="fourier",
                                               act_fn="mish", downsample_type="resnet", upsample_type="resnet"),
        "diffusers_skip.json": dict(tiny, in_channels=3, out_channels=3, block_out_channels=[32, 32],
                                    down_block_types=["SkipDownBlock2D", "AttnSkipDownBlock2D"],
                                    up_block_types=["AttnSkipUpBlock2D", "SkipUpBlock2D"], attention_head_dim=None,
                                    time_embedding_type="learned", num_train_timesteps=10, layers_per_block=1),
        "diffusers_no_mid.json": dict(tiny, mid_block_type=None, attn_norm_num_groups=2, downsample_padding=0,
                                      center_input_sample=True, flip_sin_to_cos=False, freq_shift=1),
        "diffusers_mid_no_attention.json": dict(tiny, add_attention=False, time_embedding_dim=12, act_fn="gelu"),
    }
    for name, config in variants.items():
        put("network_config", name, json.dumps({"kind": "diffusers-unet", "config": config}))


if __name__ == "__main__":
    npy(); idx(); safetensors(); state_dicts(); zip_archives(); headers(); training_configs(); diffusers(); spec_strings(); images()
    networks()
    print("seeds written under", root, file=sys.stderr)
