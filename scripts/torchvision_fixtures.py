#!/usr/bin/env python3
"""Writes torchvision reference fixtures for Assay's built-in architectures.

For each built-in (alexnet, resnet18, resnet50, squeezenet1_0) this writes two
safetensors files into OUT (default: Tests/AssayStagesTests/Fixtures):

  <arch>.weights.safetensors  seeded-random weights under torchvision's
                              state-dict names (float32; what `weights:` names)
  <arch>.io.safetensors       `input`: a seeded batch of images in [0, 1]
                              (N×3×224×224, stored as float16: every value is
                              exactly representable, and torch computes on its
                              float32 upcast), and `logits`: torchvision's
                              output in eval mode on the ImageNet-normalised
                              input, (x - mean) / std, float32.

The weights are torchvision's default initialisation under a fixed seed, then
every bias and batch-norm tensor (weight, bias, running mean, running
variance) is replaced by seeded random values, so biases, batch-norm epsilon
and the running statistics all influence the logits.

Usage:
  python3 scripts/torchvision_fixtures.py [--out DIR] [--batch N] [ARCH ...]
  python3 scripts/torchvision_fixtures.py --check-export FILE.safetensors ARCH IO.safetensors

`--check-export` loads an Assay-exported safetensors file into the torchvision
model with `load_state_dict(strict=True)`, runs the `input` of IO (normalised)
and prints the largest logit difference from IO's `logits` relative to their
range; it exits non-zero above 1e-4.

Requires torch, torchvision and safetensors.
"""
import argparse
import os
import sys

import torch
import torchvision
from safetensors.torch import load_file, save_file

ARCHS = ["alexnet", "resnet18", "resnet50", "squeezenet1_0"]
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
# The last layer of each architecture, whose first dimension is the class count.
LAST = {"alexnet": "classifier.6.weight", "resnet18": "fc.weight", "resnet50": "fc.weight", "squeezenet1_0": "classifier.1.weight"}


def build(arch, num_classes=1000):
    return getattr(torchvision.models, arch)(weights=None, num_classes=num_classes)


def seeded_model(arch, seed):
    torch.manual_seed(seed)
    model = build(arch)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                c = module.num_features
                # Scales below 1 keep ResNet's residual sums from growing with depth.
                module.weight.copy_(torch.rand(c, generator=g) * 0.4 + 0.2)
                module.bias.copy_(torch.randn(c, generator=g) * 0.1)
                module.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                # Variances well away from 1, some small, so epsilon (1e-5) and the statistics matter.
                module.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.05)
                module.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))
            elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
                module.bias.copy_(torch.randn(module.bias.shape, generator=g) * 0.05)
    return model.eval()


def normalise(x):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def write(arch, out, batch, seed):
    model = seeded_model(arch, seed)
    g = torch.Generator().manual_seed(seed + 2)
    images = torch.rand(batch, 3, 224, 224, generator=g).half()
    with torch.no_grad():
        logits = model(normalise(images.float()))
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    weights_path = os.path.join(out, f"{arch}.weights.safetensors")
    io_path = os.path.join(out, f"{arch}.io.safetensors")
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__, "seed": str(seed), "arch": arch}
    save_file(state, weights_path, metadata=meta)
    save_file({"input": images.contiguous(), "logits": logits.contiguous()}, io_path, metadata=meta)
    params = sum(p.numel() for p in model.parameters())
    print(f"{arch}: {params} parameters, logits range {float(logits.max() - logits.min()):.4g} -> {weights_path}, {io_path}")


def check_export(path, arch, io_path):
    io = load_file(io_path)
    state = load_file(path)
    num_classes = state[LAST[arch]].shape[0]
    model = build(arch, num_classes)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(normalise(io["input"].float()))
    ref = io["logits"]
    diff = float((logits - ref).abs().max() / (ref.max() - ref.min()))
    print(f"{arch}: PyTorch loaded {path} strictly; max |logit difference| / range = {diff:.3g}")
    return diff <= 1e-4


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "AssayStagesTests", "Fixtures"))
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seed", type=int, default=20261129)
    p.add_argument("--check-export", nargs=3, metavar=("FILE", "ARCH", "IO"))
    p.add_argument("archs", nargs="*", default=ARCHS)
    a = p.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if a.check_export:
        sys.exit(0 if check_export(*a.check_export) else 1)
    os.makedirs(a.out, exist_ok=True)
    for arch in a.archs:
        if arch not in ARCHS:
            sys.exit(f"unknown architecture {arch}; choose from {', '.join(ARCHS)}")
        write(arch, a.out, a.batch, a.seed)


if __name__ == "__main__":
    main()
