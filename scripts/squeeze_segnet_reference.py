#!/usr/bin/env python3
"""PyTorch reference for the built-in Squeeze-SegNet and SegNet on the scenes task.

Builds the same layer lists as Sources/AssayLanguage/BuiltinArchitecture.swift
(width multiplier, `decoder-kernel`, `batch-norm`, `head`), initialises them as
Assay does (He-normal convolutions, zero conv biases, PyTorch's default for the
transposed conv), trains them with Assay's recipe (pixels / 255, per-pixel
cross-entropy with median-frequency weights, Adam, shuffled batches) on the
scenes an Assay run composed, and prints the parameter count and the test
metrics (global accuracy, class-average accuracy, mean IoU) computed as
`segmentation-evaluate` does.

The scenes are read from the data set artifacts of the `datasets.scenes` stage:

    assay run experiments/segmentation.yaml --only datasets.fmnist
    assay run experiments/segmentation.yaml --only datasets.scenes
    assay show --store experiments/.assay datasets.scenes   # prints the two paths
    python3 scripts/squeeze_segnet_reference.py --train TRAIN --test TEST \\
        --arch squeeze-segnet --width 0.25 --epochs 8 --lr 2e-3

It answers one question: does a failure to learn come from the architecture and
recipe (PyTorch fails the same way) or from Assay's engine (PyTorch succeeds).
"""
import argparse
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_artifact(path):
    """(images uint8 [N, C, H, W], masks uint8 [N, H, W], class names) of a one-split Assay data set."""
    raw = open(path, "rb").read()
    if raw[:8] != b"ASSAYDS\0":
        sys.exit(f"{path}: not an Assay data set artifact")
    version, length = struct.unpack("<II", raw[8:16])
    manifest = json.loads(raw[16:16 + length])
    base = (16 + length + 63) // 64 * 64
    split = manifest["splits"][0]
    n, s = split["count"], split["shape"]
    c, h, w = s["channels"], s["height"], s["width"]

    def block(b):
        return np.frombuffer(raw, dtype=np.uint8, count=b["length"], offset=base + b["offset"])

    if split.get("masks") is None:
        sys.exit(f"{path}: the data set has no segmentation masks")
    images = block(split["pixels"]).reshape(n, c, h, w)
    masks = block(split["masks"]).reshape(n, h, w)
    return images, masks, split["maskClassNames"], split.get("maskVoidLabel")


def median_frequency_weights(masks, classes, void):
    """As ImageDataset.medianFrequencyClassWeights."""
    class_pixels = np.zeros(classes, np.int64)
    containing = np.zeros(classes, np.int64)
    plane = masks.shape[1] * masks.shape[2]
    for m in masks:
        counts = np.bincount(m.ravel(), minlength=256)
        labelled = plane - (counts[void] if void is not None else 0)
        for c in range(classes):
            if counts[c] > 0 and c != void:
                class_pixels[c] += counts[c]
                containing[c] += labelled
    f = np.where(containing > 0, class_pixels / np.maximum(containing, 1), 0.0)
    present = np.sort(f[f > 0])
    med = np.median(present)
    return np.where(f > 0, med / np.where(f > 0, f, 1), 0.0).astype(np.float32)


def scaled(c, width):
    return max(1, int(np.floor(c * width + 0.5)))


def conv(i, o, k, stride=1, pad=0, bn=False):
    layers = [nn.Conv2d(i, o, k, stride=stride, padding=pad)]
    if bn:
        layers.append(nn.BatchNorm2d(o))
    return nn.Sequential(*layers, nn.ReLU())


class Fire(nn.Module):
    def __init__(self, i, s, e1, e3, bn):
        super().__init__()
        self.squeeze = conv(i, s, 1, bn=bn)
        self.e1 = conv(s, e1, 1, bn=bn)
        self.e3 = conv(s, e3, 3, pad=1, bn=bn)

    def forward(self, x):
        x = self.squeeze(x)
        return torch.cat([self.e1(x), self.e3(x)], 1)


class SqueezeDecoder(nn.Module):
    def __init__(self, i, e1, e3, s, bn):
        super().__init__()
        self.e1 = conv(i, e1, 1, bn=bn)
        self.e3 = conv(i, e3, 3, pad=1, bn=bn)
        self.squeeze = conv(e1 + e3, s, 1, bn=bn)

    def forward(self, x):
        return self.squeeze(torch.cat([self.e1(x), self.e3(x)], 1))


class Pool(nn.Module):
    def __init__(self, k, s, ceil):
        super().__init__()
        self.k, self.s, self.ceil = k, s, ceil

    def forward(self, x, memo):
        y, idx = F.max_pool2d(x, self.k, self.s, ceil_mode=self.ceil, return_indices=True)
        memo[id(self)] = (idx, x.shape[-2:])
        return y


class Unpool(nn.Module):
    def __init__(self, pool):
        super().__init__()
        self.pool = [pool]  # not a submodule

    def forward(self, x, memo):
        idx, size = memo[id(self.pool[0])]
        return F.max_unpool2d(x, idx, self.pool[0].k, self.pool[0].s, output_size=size)


class Net(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        memo = {}
        for layer in self.layers:
            x = layer(x, memo) if isinstance(layer, (Pool, Unpool)) else layer(x)
        return x


def squeeze_segnet(in_ch, classes, width, decoder_kernel, bn, head, head_kernel, dropout=0.5):
    w = lambda c: scaled(c, width)
    layers = [conv(in_ch, w(96), 7, stride=2, pad=3, bn=bn)]
    pool1 = Pool(3, 2, True)
    layers.append(pool1)
    fires = [("fire2", 16, 64, 64), ("fire3", 16, 64, 64), ("fire4", 32, 128, 128), ("pool2",),
             ("fire5", 32, 128, 128), ("fire6", 48, 192, 192), ("fire7", 48, 192, 192), ("fire8", 64, 256, 256), ("pool3",),
             ("fire9", 64, 256, 256)]
    channels, inputs, pools = w(96), {}, {}
    for f in fires:
        if len(f) == 1:
            pools[f[0]] = Pool(3, 2, True)
            layers.append(pools[f[0]])
            continue
        inputs[f[0]] = channels
        layers.append(Fire(channels, w(f[1]), w(f[2]), w(f[3]), bn))
        channels = w(f[2]) + w(f[3])
    layers += [nn.Dropout(dropout), conv(channels, channels, 1, bn=bn),
               conv(channels, channels, decoder_kernel, pad=decoder_kernel // 2, bn=bn)]
    for f in reversed(fires):
        if len(f) == 1:
            layers.append(Unpool(pools[f[0]]))
            continue
        layers.append(SqueezeDecoder(channels, w(f[1]), w(f[1]), inputs[f[0]], bn))
        channels = inputs[f[0]]
    layers.append(Unpool(pool1))
    if head == "transposed":
        # Exactly twice the size for any kernel k: 2·pad − output_padding = k − 2.
        pad, out_pad = (head_kernel - 1) // 2, head_kernel % 2
        layers.append(nn.ConvTranspose2d(channels, classes, head_kernel, stride=2, padding=pad, output_padding=out_pad))
    else:  # "conv": 2x2 transposed conv to `channels`, then a 3x3 classifier conv
        layers += [nn.ConvTranspose2d(channels, channels, 2, stride=2), nn.ReLU(), nn.Conv2d(channels, classes, 3, padding=1)]
    return Net(layers)


def segnet(in_ch, classes, width, bn):
    w = lambda c: scaled(c, width)
    encoder = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    decoder = [[512, 512, 512], [512, 512, 256], [256, 256, 128], [128, 64], [64]]
    layers, pools, ch = [], [], in_ch
    for widths in encoder:
        for c in widths:
            layers.append(conv(ch, w(c), 3, pad=1, bn=bn))
            ch = w(c)
        pools.append(Pool(2, 2, False))
        layers.append(pools[-1])
    for d, widths in enumerate(decoder):
        layers.append(Unpool(pools[4 - d]))
        for c in widths:
            layers.append(conv(ch, w(c), 3, pad=1, bn=bn))
            ch = w(c)
    layers.append(nn.Conv2d(ch, classes, 3, padding=1))
    return Net(layers)


def he_init(net, seed):
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.weight[0].numel()
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                m.bias.zero_()


def evaluate(net, images, masks, classes, void, batch):
    net.eval()
    cm = np.zeros((classes, classes), np.int64)
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i:i + batch].astype(np.float32) / 255)
            pred = net(x).argmax(1).numpy().ravel()
            truth = masks[i:i + batch].ravel().astype(np.int64)
            keep = truth != void if void is not None else np.ones_like(truth, bool)
            cm += np.bincount(truth[keep] * classes + pred[keep], minlength=classes * classes).reshape(classes, classes)
    tp = np.diag(cm).astype(np.float64)
    present = cm.sum(1) > 0
    recall = tp / np.maximum(cm.sum(1), 1)
    union = cm.sum(1) + cm.sum(0) - tp
    iou = np.where(union > 0, tp / np.maximum(union, 1), 0)
    return {"global-accuracy": tp.sum() / cm.sum(), "class-accuracy": recall[present].mean(),
            "mean-iou": iou[present].mean(), "predicted-classes": int((cm.sum(0) > 0).sum())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--arch", choices=["squeeze-segnet", "segnet"], default="squeeze-segnet")
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--decoder-kernel", type=int, default=1)
    ap.add_argument("--batch-norm", action="store_true")
    ap.add_argument("--head", choices=["transposed", "conv"], default="transposed")
    ap.add_argument("--head-kernel", type=int, default=2)
    ap.add_argument("--dropout", type=float, default=0.5, help="Squeeze-SegNet's dropout before conv10")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-step", type=int, default=0, help="epochs per decay (0: constant rate), as `lr-step`")
    ap.add_argument("--lr-gamma", type=float, default=0.1)
    ap.add_argument("--weights", choices=["median-frequency", "none"], default="median-frequency")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    train_x, train_y, names, void = read_artifact(a.train)
    test_x, test_y, _, _ = read_artifact(a.test)
    classes = len(names)
    if a.arch == "squeeze-segnet":
        net = squeeze_segnet(train_x.shape[1], classes, a.width, a.decoder_kernel, a.batch_norm, a.head, a.head_kernel, a.dropout)
    else:
        net = segnet(train_x.shape[1], classes, a.width, a.batch_norm)
    he_init(net, a.seed)
    params = sum(p.numel() for p in net.parameters())
    weights = median_frequency_weights(train_y, classes, void) if a.weights == "median-frequency" else np.ones(classes, np.float32)
    loss_fn = nn.CrossEntropyLoss(weight=torch.from_numpy(weights), ignore_index=void if void is not None else -100)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    print(f"{a.arch} width {a.width} decoder-kernel {a.decoder_kernel} batch-norm {a.batch_norm} head {a.head} head-kernel {a.head_kernel}: {params:,} parameters")
    rng = np.random.default_rng(a.seed)
    started = time.time()
    for epoch in range(a.epochs):
        for group in opt.param_groups:
            group["lr"] = a.lr * a.lr_gamma ** (epoch // a.lr_step) if a.lr_step > 0 else a.lr
        net.train()
        order = rng.permutation(len(train_x))
        total, seen = 0.0, 0
        for i in range(0, len(order), a.batch):
            b = order[i:i + a.batch]
            x = torch.from_numpy(train_x[b].astype(np.float32) / 255)
            y = torch.from_numpy(train_y[b].astype(np.int64))
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
            seen += len(b)
        print(f"epoch {epoch + 1}/{a.epochs} loss {total / seen:.4f} ({time.time() - started:.0f}s)", flush=True)
    m = evaluate(net, test_x, test_y, classes, void, 64)
    print(json.dumps({"parameters": params, **{k: round(float(v), 4) for k, v in m.items()}}))


if __name__ == "__main__":
    main()
