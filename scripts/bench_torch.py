#!/usr/bin/env python3
"""PyTorch CPU counterpart of `assay-bench`'s tensor benchmarks.

Runs the same two networks as Sources/assay-bench/TensorBenchmarks.swift on
2 threads and prints the same metric names as JSON lines, so the two outputs
can be compared side by side:

    .build/release/assay-bench > assay.jsonl
    python3 scripts/bench_torch.py > torch.jsonl

PyTorch is not a dependency of Assay; this script exits with a message when it
is missing.
"""
import json
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench_torch.py: PyTorch is not installed (pip install torch); nothing to compare")


def report(name, value, unit):
    print(json.dumps({"name": name, "value": value, "unit": unit}), flush=True)


def images_per_second(batch, steps, step):
    step()
    step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return batch / statistics.median(times)


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


class Fire(nn.Module):
    def __init__(self, cin, s, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, s, 1)
        self.expand1x1 = nn.Conv2d(s, e1, 1)
        self.expand3x3 = nn.Conv2d(s, e3, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.squeeze(x))
        return torch.cat([F.relu(self.expand1x1(x)), F.relu(self.expand3x3(x))], 1)


class SqueezeDecoder(nn.Module):
    def __init__(self, cin, e1, e3, out):
        super().__init__()
        self.expand1x1 = nn.Conv2d(cin, e1, 1)
        self.expand3x3 = nn.Conv2d(cin, e3, 3, padding=1)
        self.squeeze = nn.Conv2d(e1 + e3, out, 1)

    def forward(self, x):
        x = F.relu(torch.cat([self.expand1x1(x), self.expand3x3(x)], 1))
        return F.relu(self.squeeze(x))


FIRES = [(96, 16, 64), (128, 16, 64), (128, 32, 128), (256, 32, 128),
         (256, 48, 192), (384, 48, 192), (384, 64, 256), (512, 64, 256)]


class SqueezeSegNetLike(nn.Module):
    """Same layers and order as SqueezeSegNetLike in TensorBenchmarks.swift."""

    def __init__(self, classes=11):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 96, 7, stride=2, padding=3)
        self.fires = nn.ModuleList([Fire(c, s, e, e) for c, s, e in FIRES])
        self.conv10 = nn.Conv2d(512, 512, 1)
        self.decs = nn.ModuleList([SqueezeDecoder(2 * e, s, s, c) for c, s, e in reversed(FIRES)])
        self.classifier = nn.ConvTranspose2d(96, classes, 2, stride=2)

    def forward(self, x):
        pool = lambda t: F.max_pool2d(t, 3, 2, ceil_mode=True, return_indices=True)
        first = F.relu(self.conv1(x))
        shape1 = first.shape[-2:]
        x, i1 = pool(first)
        for f in self.fires[:3]:
            x = f(x)
        shape2 = x.shape[-2:]
        x, i2 = pool(x)
        for f in self.fires[3:7]:
            x = f(x)
        shape3 = x.shape[-2:]
        x, i3 = pool(x)
        x = F.relu(self.conv10(self.fires[7](x)))
        decs = list(self.decs)  # mirrors fire9, fire8, ..., fire2
        x = decs[0](x)
        x = F.max_unpool2d(x, i3, 3, 2, output_size=shape3)
        for d in decs[1:5]:
            x = d(x)
        x = F.max_unpool2d(x, i2, 3, 2, output_size=shape2)
        for d in decs[5:8]:
            x = d(x)
        x = F.max_unpool2d(x, i1, 3, 2, output_size=shape1)
        return self.classifier(x)


def train_step(model, x, y):
    model.train()
    model.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= 1e-4 * p.grad


def inference_step(model, x):
    model.eval()
    with torch.no_grad():
        model(x)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    for threads, name in [(1, "sgemm_1thread"), (2, "sgemm_2threads")]:
        torch.set_num_threads(threads)
        a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
        a @ b
        best = min(timed(lambda: a @ b) for _ in range(5))
        report(name, 2 * 1024 ** 3 / best / 1e9, "GFLOP/s")
    torch.set_num_threads(2)

    cnn = small_cnn()
    x = torch.rand(128, 1, 28, 28)
    y = torch.arange(128) % 10
    report("small_cnn_train", images_per_second(128, 12, lambda: train_step(cnn, x, y)), "images/s")
    report("small_cnn_inference", images_per_second(128, 20, lambda: inference_step(cnn, x)), "images/s")

    seg = SqueezeSegNetLike(11)
    xs = torch.rand(16, 1, 64, 64)
    ys = (torch.arange(16 * 64 * 64) // 97 % 11).reshape(16, 64, 64)
    report("squeeze_segnet_train", images_per_second(16, 6, lambda: train_step(seg, xs, ys)), "images/s")
    report("squeeze_segnet_inference", images_per_second(16, 10, lambda: inference_step(seg, xs)), "images/s")
    report("peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB")


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
