#!/usr/bin/env python3
"""PyTorch CPU counterpart of `assay-bench`'s tensor benchmarks.

Without arguments it times sgemm, the small CNN's conv2 forward + backward (the
kernels of Sources/assay-bench/TensorBenchmarks.swift, same metric names) and two
hand-built networks on 2 threads, as JSON lines:

    .build/release/assay-bench > assay.jsonl
    python3 scripts/bench_torch.py > torch.jsonl
    python3 scripts/bench_torch.py --compare assay.jsonl torch.jsonl   # ratios

With `--networks NAMES` it instead times the built-in networks as
`assay-bench networks` does (small-cnn, squeeze-segnet, segnet, resnet50,
alexnet; torchvision's models for the last two, scripts/squeeze_segnet_reference.py's
for the segmentation nets): `NAME_train` and `NAME_inference` in images/s.
`scripts/bench-compare.sh` alternates the two and prints the ratios.

For a fair comparison run both in the same window on an otherwise idle
machine (or alternate them a few times).

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
    torch = None
    if not (len(sys.argv) > 1 and sys.argv[1] == "--compare"):
        sys.exit("bench_torch.py: PyTorch is not installed (pip install torch); nothing to compare")


def report(name, value, unit):
    print(json.dumps({"name": name, "value": value, "unit": unit}), flush=True)


def throughput(batch, steps, step):
    """Wall-clock images/s (median step) and images per CPU-second of the
    process (all threads), as TensorBenchmarks.throughput."""
    step()
    step()
    times = []
    cpu_start = time.process_time()
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    cpu = time.process_time() - cpu_start
    return batch / statistics.median(times), batch * steps / cpu


def report_throughput(name, batch, steps, step):
    wall, per_cpu = throughput(batch, steps, step)
    report(name, wall, "images/s")
    report(name + "_per_cpu_second", per_cpu, "images/cpu-s")


if torch is not None:  # the models need torch; --compare does not
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
        if threads == 1:
            sgemm1 = 2 * 1024 ** 3 / best / 1e9

    # conv2 of the small CNN, forward + backward on one thread (3 GEMM-equivalents).
    torch.set_num_threads(1)
    xc = torch.randn(128, 32, 14, 14, requires_grad=True)
    wc = (0.05 * torch.randn(64, 32, 3, 3)).requires_grad_()
    seed = torch.ones(128, 64, 14, 14)

    def conv_step():
        xc.grad = None
        wc.grad = None
        F.conv2d(xc, wc, padding=1).backward(seed)
    conv_step()
    best = min(timed(conv_step) for _ in range(6))
    conv = 3 * 2 * 128 * 64 * 32 * 9 * 14 * 14 / best / 1e9
    report("conv_fwd_bwd_1worker", conv, "GFLOP/s")
    report("conv_efficiency_vs_sgemm_1thread", conv / sgemm1, "ratio")
    torch.set_num_threads(2)

    cnn = small_cnn()
    x = torch.rand(128, 1, 28, 28)
    y = torch.arange(128) % 10
    report_throughput("small_cnn_train", 128, 12, lambda: train_step(cnn, x, y))
    report_throughput("small_cnn_inference", 128, 20, lambda: inference_step(cnn, x))

    seg = SqueezeSegNetLike(11)
    xs = torch.rand(16, 1, 64, 64)
    ys = (torch.arange(16 * 64 * 64) // 97 % 11).reshape(16, 64, 64)
    report_throughput("squeeze_segnet_train", 16, 6, lambda: train_step(seg, xs, ys))
    report_throughput("squeeze_segnet_inference", 16, 10, lambda: inference_step(seg, xs))
    report("peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB")


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def compare(assay_path, torch_path):
    """Prints Assay / PyTorch for every metric both files report (higher is
    better for throughput; for peak_rss a ratio below 1 means Assay uses less)."""
    def load(path):
        with open(path) as handle:
            return {row["name"]: row["value"] for row in map(json.loads, filter(str.strip, handle))}
    ours, theirs = load(assay_path), load(torch_path)
    for name in sorted(ours.keys() & theirs.keys()):
        if theirs[name]:
            report(name + "_ratio_assay_over_torch", ours[name] / theirs[name], "ratio")


# Batch sizes (train, inference) and input shapes, as BuiltinNetworkBenchmarks.swift.
NETWORKS = {
    "small-cnn": ((128, 128), (1, 28, 28), 10),
    "squeeze-segnet": ((16, 16), (1, 64, 64), 11),
    "segnet": ((16, 16), (1, 64, 64), 11),
    "resnet50": ((32, 64), (3, 224, 224), 1000),
    "alexnet": ((32, 64), (3, 224, 224), 1000),
}


def build(name, classes):
    """The network as Assay's built-in (experiments/segmentation.yaml's settings for the segmentation nets)."""
    if name == "small-cnn":
        return small_cnn()
    if name in ("squeeze-segnet", "segnet"):
        import os
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from squeeze_segnet_reference import segnet, squeeze_segnet
        if name == "segnet":
            return segnet(1, classes, 0.25, True)
        return squeeze_segnet(1, classes, 0.25, 1, True, "transposed", 8)
    import torchvision
    return getattr(torchvision.models, name)(num_classes=classes)


def networks(names, steps, batch_override, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for name in names:
        (train_batch, inference_batch), shape, classes = NETWORKS[name]
        try:
            model = build(name, classes)
        except ImportError as error:
            print(f"bench_torch.py: skipping {name}: {error}", file=sys.stderr)
            continue
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
        for phase, batch in (("train", batch_override or train_batch), ("inference", batch_override or inference_batch)):
            x = torch.rand(batch, *shape)
            count = batch * shape[1] * shape[2] if name in ("squeeze-segnet", "segnet") else batch
            y = (torch.arange(count) // 97 % classes).reshape((batch, shape[1], shape[2]) if count != batch else (batch,))

            def train():
                model.train()
                optimizer.zero_grad(set_to_none=True)
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            step = train if phase == "train" else (lambda: inference_step(model, x))
            report(f"{name}_{phase}_batch", batch, "images")
            report_throughput(f"{name}_{phase}", batch, steps, step)
    report("workers", threads, "threads")
    report("peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--networks":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("--networks", required=True, help="comma-separated: " + ",".join(NETWORKS))
        ap.add_argument("--steps", type=int, default=5)
        ap.add_argument("--batch", type=int, default=0, help="overrides every batch size (smoke runs)")
        ap.add_argument("--threads", type=int, default=2)
        args = ap.parse_args()
        names = [n for n in args.networks.split(",") if n]
        unknown = [n for n in names if n not in NETWORKS]
        if unknown:
            sys.exit(f"bench_torch.py: unknown network(s) {unknown}; known: {list(NETWORKS)}")
        networks(names, args.steps, args.batch or None, args.threads)
    elif len(sys.argv) == 4 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        main()
