# Golden values for tests/core/denoisers/test_diffusers_unet.cpp: diffusers v0.27.2 UNet2DModel (unmodified
# model code) on Debian's PyTorch 1.13.1, weights and inputs from closed formulas.
#
# Run with Debian's /usr/bin/python3 (python3-torch, python3-numpy) and diffusers' v0.27.2
# source tree on the path: DIFFUSERS_SRC=/path/to/diffusers/src. diffusers imports
# huggingface_hub and safetensors at import time; where they are not installed, put empty
# stand-in packages of those names on PYTHONPATH (only the model code runs) and disable its
# dependency version check. Prints the sums the test pins.
import json, math, os, sys
import numpy as np, torch
sys.path.insert(0, os.environ.get("DIFFUSERS_SRC", "diffusers/src"))
from diffusers.models.unets.unet_2d import UNet2DModel
torch.set_num_threads(1)

A = os.environ.get("FIXTURE_A", os.path.join(os.path.dirname(__file__), "../../shared/fixtures/diffusers/A"))
cfg = json.load(open(A + "/config.json"))
m = UNet2DModel.from_config(cfg).eval()
sd = torch.load(A + "/diffusion_pytorch_model.bin")
m.load_state_dict(sd)
x = torch.from_numpy(np.load(A + "/fwd_x.npy")); t = torch.from_numpy(np.load(A + "/fwd_t0.npy"))
with torch.no_grad():
    out = m(x, t).sample
print("A check:", (out - torch.from_numpy(np.load(A + "/fwd_t0_out_f32.npy"))).abs().max().item())

def formula_weights(model):
    # j-th tensor in name order, k its flat index:
    #   norm weights 1 + 0.2 sin(0.37k + 1.3j); other 1-D 0.2 sin(…); ≥2-D sin(…)·1.5/√fan_in
    params = dict(model.named_parameters())  # GaussianFourierProjection's alias W is not listed
    assert "time_proj.W" not in params
    for j, name in enumerate(sorted(params)):
        p = params[name]
        k = torch.arange(p.numel(), dtype=torch.float64)
        s = torch.sin(0.37 * k + 1.3 * j)
        if p.dim() >= 2:
            v = s * (1.5 / math.sqrt(p.numel() // p.shape[0]))
        elif "norm" in name and name.endswith(".weight"):
            v = 1.0 + 0.2 * s
        else:
            v = 0.2 * s
        with torch.no_grad():
            p.copy_(v.reshape(p.shape).to(p.dtype))

small = {"_class_name": "UNet2DModel", "in_channels": 2, "out_channels": 2, "block_out_channels": [16, 32],
         "layers_per_block": 1, "norm_num_groups": 8, "down_block_types": ["DownBlock2D", "AttnDownBlock2D"],
         "up_block_types": ["AttnUpBlock2D", "UpBlock2D"], "attention_head_dim": 8}
variants = {
    "base": {},
    "scale_shift": {"resnet_time_scale_shift": "scale_shift"},
    "scale_shift, mid attn groups": {"resnet_time_scale_shift": "scale_shift", "attn_norm_num_groups": 8},
    "resnet down/up": {"downsample_type": "resnet", "upsample_type": "resnet"},
    "resnet blocks": {"down_block_types": ["ResnetDownsampleBlock2D", "AttnDownBlock2D"],
                      "up_block_types": ["AttnUpBlock2D", "ResnetUpsampleBlock2D"]},
    "fourier": {"time_embedding_type": "fourier"},
    "learned": {"time_embedding_type": "learned", "num_train_timesteps": 1000},
    "no mid attention": {"add_attention": False},
    "padding 0, mish, 3 layers": {"downsample_padding": 0, "act_fn": "mish", "layers_per_block": 3},
    "gelu, shift 1, sin first": {"act_fn": "gelu", "block_out_channels": [24, 32], "freq_shift": 1, "flip_sin_to_cos": False},
    "attn groups, mid scale, one head": {"attn_norm_num_groups": 4, "mid_block_scale_factor": 1.41421356, "attention_head_dim": None},
    "skip blocks (float32)": {"in_channels": 3, "out_channels": 3, "block_out_channels": [32, 64],
                    "down_block_types": ["SkipDownBlock2D", "AttnSkipDownBlock2D"], "up_block_types": ["AttnSkipUpBlock2D", "SkipUpBlock2D"]},
    "ncsnpp-like (float32)": {"in_channels": 3, "out_channels": 3, "block_out_channels": [32, 64, 64], "time_embedding_type": "fourier",
                    "resnet_time_scale_shift": "scale_shift", "layers_per_block": 2,
                    "down_block_types": ["SkipDownBlock2D", "AttnSkipDownBlock2D", "SkipDownBlock2D"],
                    "up_block_types": ["SkipUpBlock2D", "AttnSkipUpBlock2D", "SkipUpBlock2D"]},
    "3 levels, centred, relu": {"block_out_channels": [16, 16, 32], "down_block_types": ["AttnDownBlock2D", "DownBlock2D", "AttnDownBlock2D"],
                                "up_block_types": ["AttnUpBlock2D", "UpBlock2D", "AttnUpBlock2D"], "center_input_sample": True,
                                "act_fn": "relu", "norm_eps": 1e-6},
}
for name, patch in variants.items():
    c = dict(small); c.update(patch)
    m = UNet2DModel.from_config(c).eval()
    formula_weights(m)
    skip = any("Skip" in b for b in c["down_block_types"] + c["up_block_types"])
    dt = torch.float32 if skip else torch.float64  # diffusers' FIR kernels are float32 only
    m.to(dt)
    ch = c["in_channels"]
    k = torch.arange(2 * ch * 8 * 8, dtype=torch.float64)
    x = torch.sin(0.1 * k + 0.5).reshape(2, ch, 8, 8).float().to(dt)
    t = torch.tensor([0.5, 20.0]) if c.get("time_embedding_type") == "fourier" else torch.tensor([3, 700])
    with torch.no_grad():
        out = m(x, t).sample.double().flatten()
    kk = torch.arange(out.numel(), dtype=torch.float64)
    nparams = sum(p.numel() for p in m.parameters())
    print('        row("%s", R"(%s)", %d, %.12g, %.12g, %.12g);' % (name, json.dumps(patch), nparams, out.sum().item(),
          out.abs().sum().item(), (out * torch.cos(0.3 * kk)).sum().item()))
