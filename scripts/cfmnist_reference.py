#!/usr/bin/env python3
"""PyTorch + scikit-learn reference of experiments/colored-fmnist-dfr.yaml.

The same pipeline as the Assay experiment, written the way a researcher would in
Python, to compare results and wall-clock time on the same machine:

- Fashion-MNIST; 10,000 training images become `val` (seeded); binary label
  tops (t-shirt, pullover, coat, shirt) vs the rest; a 2-pixel white border is
  the spurious attribute, agreeing with the label on 95% of `train` and 50% of
  `val` / `test` (exactly round(rho * n_y) aligned per class).
- ERM: conv32-relu-pool-conv64-relu-pool-fc128-relu-fc2, Adam 1e-3, batch 64,
  3 epochs; pixels x / 255.
- DFR on fc1: standardise; liblinear L1 logistic regression; C from
  {1, .7, .3, .1, .07, .03, .01} by worst-group accuracy on one stratified half
  of `val` after fitting on a balanced subsample of the other; final model the
  mean of 20 fits on balanced subsamples of `val`.
- All-layer DFR: every layer pooled to about 1024 values (global average
  pooling when C >= T, else p x p cells, p = floor(sqrt(T / C))),
  standardised per layer with `val` statistics, concatenated; Head2Toe group
  lasso (FISTA, 50 iterations, lambda = 0.01 lambda_max) on a balanced
  subsample of one stratified half of `val`; keep 10%; DFR on the other half.

    python3 scripts/cfmnist_reference.py --seed 0           # prints the table and timings

2 threads (torch.set_num_threads(2)), as Assay uses on this machine.
"""
import argparse
import gzip
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression

FMNIST = "/usr/share/datasets/fashion-mnist"
TOPS = [0, 2, 4, 6]
C_GRID = [1.0, 0.7, 0.3, 0.1, 0.07, 0.03, 0.01]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def inject_border(images, labels, rho, rng, width=2):
    attribute = np.empty_like(labels)
    for y in (0, 1):
        members = np.flatnonzero(labels == y)
        rng.shuffle(members)
        aligned = int(round(rho * len(members)))
        attribute[members[:aligned]] = y
        attribute[members[aligned:]] = 1 - y
    out = images.copy()
    framed = attribute == 1
    out[framed, :width, :] = 255
    out[framed, -width:, :] = 255
    out[framed, :, :width] = 255
    out[framed, :, -width:] = 255
    return out, attribute


def make_data(seed):
    rng = np.random.default_rng(seed)
    train_x, train_y = idx(f"{FMNIST}/train-images-idx3-ubyte.gz"), idx(f"{FMNIST}/train-labels-idx1-ubyte.gz")
    test_x, test_y = idx(f"{FMNIST}/t10k-images-idx3-ubyte.gz"), idx(f"{FMNIST}/t10k-labels-idx1-ubyte.gz")
    order = rng.permutation(len(train_y))
    val_idx, tr_idx = order[:10000], order[10000:]
    splits = {}
    for name, x, y, rho in [("train", train_x[tr_idx], train_y[tr_idx], 0.95), ("val", train_x[val_idx], train_y[val_idx], 0.5),
                            ("test", test_x, test_y, 0.5)]:
        label = np.isin(y, TOPS).astype(np.int64)
        bordered, attribute = inject_border(x, label, rho, rng)
        splits[name] = (torch.from_numpy(bordered).float().div(255).unsqueeze(1), label, 2 * label + attribute)
    return splits


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 2)

    def layers(self, x):
        """Every layer's output, in order (as Assay's `layers: [all]`)."""
        out = []
        x = self.conv1(x); out.append(x)
        x = F.relu(x); out.append(x)
        x = F.max_pool2d(x, 2); out.append(x)
        x = self.conv2(x); out.append(x)
        x = F.relu(x); out.append(x)
        x = F.max_pool2d(x, 2); out.append(x)
        x = self.fc1(x.flatten(1)); out.append(x)
        x = F.relu(x); out.append(x)
        x = self.fc2(x); out.append(x)
        return out

    def forward(self, x):
        return self.layers(x)[-1]


def wga(predicted, labels, groups):
    accuracies = [float(np.mean(predicted[groups == g] == labels[groups == g])) for g in np.unique(groups)]
    return min(accuracies), float(np.mean(predicted == labels))


def pool(a, target=1024):
    if a.dim() == 2:
        return a
    c = a.shape[1]
    if c >= target:
        return a.mean(dim=(2, 3))
    p = int((target / c) ** 0.5)
    return F.adaptive_avg_pool2d(a, p).flatten(1)


def extract(model, x, batch=1000):
    blocks = None
    with torch.no_grad():
        for start in range(0, len(x), batch):
            outs = [pool(a) for a in model.layers(x[start:start + batch])]
            blocks = [[o] for o in outs] if blocks is None else [b + [o] for b, o in zip(blocks, outs)]
    return [torch.cat(b).numpy() for b in blocks]


def balanced(groups, rows, rng):
    smallest = min(np.sum(groups[rows] == g) for g in np.unique(groups[rows]))
    return np.sort(np.concatenate([rng.choice(rows[groups[rows] == g], smallest, replace=False) for g in np.unique(groups[rows])]))


def halves(groups, rows, rng, fraction=0.5):
    first = []
    for g in np.unique(groups[rows]):
        members = rows[groups[rows] == g].copy()
        rng.shuffle(members)
        first.append(members[:int(fraction * len(members))])
    first = np.sort(np.concatenate(first))
    return first, np.setdiff1d(rows, first)


def standardise(x, rows):
    mean, std = x[rows].mean(0), x[rows].std(0)
    std[std == 0] = 1
    return (x - mean) / std


def logreg(c):
    return LogisticRegression(l1_ratio=1.0, solver="liblinear", C=c)


def dfr(x, y, g, x_test, seed):
    """The DFR recipe on held-out rows (x, y, g); returns test predictions and the chosen C."""
    rng = np.random.default_rng(seed)
    rows = np.arange(len(y))
    tune, score = halves(g, rows, rng)
    xt = standardise(x, tune)
    subsample = balanced(g, tune, rng)
    best = max(C_GRID, key=lambda c: (wga(logreg(c).fit(xt[subsample], y[subsample]).predict(xt[score]), y[score], g[score])[0], -c))
    mean, std = x.mean(0), x.std(0)
    std[std == 0] = 1
    xs = (x - mean) / std
    coefs, intercepts = [], []
    for _ in range(20):
        picked = balanced(g, rows, rng)
        model = logreg(best).fit(xs[picked], y[picked])
        coefs.append(model.coef_), intercepts.append(model.intercept_)
    coef, intercept = np.mean(coefs, 0), np.mean(intercepts, 0)
    return ((((x_test - mean) / std) @ coef.T + intercept)[:, 0] > 0).astype(np.int64), best


def head2toe(x, y, iterations=50, relative_lambda=0.01, keep=0.1):
    """Group-lasso softmax head by FISTA; returns the kept column indices (ascending)."""
    xs = torch.from_numpy(standardise(x, np.arange(len(y)))).float()
    n, d = xs.shape
    target = torch.from_numpy(y)
    design = torch.cat([xs, torch.ones(n, 1)], 1)
    lipschitz = 0.5 * torch.linalg.matrix_norm(design, ord=2).item() ** 2 / n * 1.05
    step = 1 / lipschitz
    counts = torch.bincount(target, minlength=2).float()
    w, b = torch.zeros(d, 2), torch.log(counts / n)

    def gradient(w, b):
        r = torch.softmax(xs @ w + b, 1)
        r[torch.arange(n), target] -= 1
        return xs.T @ r / n, r.mean(0)

    lam = relative_lambda * gradient(w, b)[0].norm(dim=1).max().item()
    yw, yb, t = w.clone(), b.clone(), 1.0
    for _ in range(iterations):
        gw, gb = gradient(yw, yb)
        nw = yw - step * gw
        norms = nw.norm(dim=1, keepdim=True)
        nw = nw * torch.clamp(1 - lam * step / norms.clamp_min(1e-12), min=0)
        nb = yb - step * gb
        if ((yw - nw) * (nw - w)).sum() + ((yb - nb) * (nb - b)).sum() > 0:
            t = 1.0
        tn = (1 + (1 + 4 * t * t) ** 0.5) / 2
        yw, yb = nw + (t - 1) / tn * (nw - w), nb + (t - 1) / tn * (nb - b)
        w, b, t = nw, nb, tn
    scores = (w ** 2).sum(1)
    return np.sort(torch.argsort(scores, descending=True)[:int(np.ceil(keep * d))].numpy())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--flush-denormal", action="store_true", help="treat denormal floats as zero (can speed up the first epoch)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.set_flush_denormal(args.flush_denormal)
    torch.manual_seed(args.seed)
    start = time.perf_counter()
    data = make_data(args.seed)
    model = CNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y, _ = data["train"]
    target = torch.from_numpy(y)
    for epoch in range(args.epochs):
        epoch_start = time.perf_counter()
        for batch in torch.randperm(len(y)).split(64):
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), target[batch]).backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: {time.perf_counter() - epoch_start:.1f} s", flush=True)
    trained = time.perf_counter()

    vx, vy, vg = data["val"]
    tx, ty, tg = data["test"]
    val_blocks, test_blocks = extract(model, vx), extract(model, tx)
    rows = {"erm": wga(test_blocks[-1].argmax(1), ty, tg)}
    # DFR on fc1 (the 7th layer), the experiment's `layers: [fc1]`.
    predicted, c = dfr(val_blocks[6], vy, vg, test_blocks[6], args.seed)
    rows["dfr"] = wga(predicted, ty, tg)
    # All-layer DFR: per-layer standardisation with val statistics, Head2Toe on half of val, DFR on the rest.
    means = [b.mean(0) for b in val_blocks]
    stds = [np.where(b.std(0) == 0, 1, b.std(0)) for b in val_blocks]
    val_all = np.concatenate([(b - m) / s for b, m, s in zip(val_blocks, means, stds)], 1)
    test_all = np.concatenate([(b - m) / s for b, m, s in zip(test_blocks, means, stds)], 1)
    rng = np.random.default_rng(args.seed + 7)
    fit_rows, held_out = halves(vg, np.arange(len(vy)), rng)
    subsample = balanced(vg, fit_rows, rng)
    kept = head2toe(val_all[subsample], vy[subsample])
    predicted, c_all = dfr(val_all[held_out][:, kept], vy[held_out], vg[held_out], test_all[:, kept], args.seed)
    rows["all-layer"] = wga(predicted, ty, tg)
    end = time.perf_counter()

    print(f"seed {args.seed}: " + " | ".join(f"{k} wga {v[0]:.4f} mean {v[1]:.4f}" for k, v in rows.items())
          + f" | C {c}, all-layer C {c_all}, kept {len(kept)} of {val_all.shape[1]}")
    print(f"timing: training {trained - start:.1f} s, features + DFR + selection {end - trained:.1f} s, total {end - start:.1f} s")


if __name__ == "__main__":
    main()
