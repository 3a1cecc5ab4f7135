#!/usr/bin/env python3
"""Writes Tests/AssayLearnTests/Fixtures/logreg_liblinear.json.

Seeded synthetic classification data (numpy's PCG64 via default_rng) fitted
by scikit-learn's liblinear LogisticRegression, L1 and L2, for several C,
binary and 3-class (one-vs-rest), unweighted and with sample weights
(liblinear multiplies C by each example's weight). The fits use a tight tolerance so the
coefficients are the optimum to ~1e-8, not a solver's early stop: AssayLearn's
solvers are compared against them.

    pip install scikit-learn numpy
    python3 scripts/make_logreg_fixture.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier


def make_data(rng, n, d, classes):
    """Gaussian features of uneven scale; labels from a sparse linear rule plus noise."""
    scales = rng.uniform(0.5, 2.0, size=d)
    x = rng.normal(size=(n, d)) * scales
    w = np.zeros((classes, d))
    for k in range(classes):
        informative = rng.choice(d, size=3, replace=False)
        w[k, informative] = rng.normal(scale=1.5, size=3)
    logits = x @ w.T + rng.normal(scale=1.0, size=(n, classes))
    if classes == 2:
        y = (logits[:, 1] - logits[:, 0] > 0.3).astype(int)
    else:
        y = logits.argmax(axis=1)
    return x.astype(np.float32), y


def liblinear(penalty, c, scaling=1.0):
    # scikit-learn >= 1.8 spells the penalty as l1_ratio (1 = L1, 0 = L2); older
    # releases take penalty=. Both reach liblinear's L1R_LR / L2R_LR solvers.
    options = dict(solver="liblinear", C=c, fit_intercept=True, intercept_scaling=scaling, tol=1e-10, max_iter=100000)
    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    if (major, minor) >= (1, 8):
        return LogisticRegression(l1_ratio=1.0 if penalty == "l1" else 0.0, **options)
    return LogisticRegression(penalty=penalty, **options)


def fit(x, y, penalty, c, scaling=1.0, weights=None):
    """Binary: one liblinear fit (positive class = the larger label). More classes:
    one-vs-rest, one binary liblinear fit per class, as liblinear itself does."""
    xd = x.astype(np.float64)
    classes = np.unique(y)
    if len(classes) == 2:
        model = liblinear(penalty, c, scaling).fit(xd, y, sample_weight=weights)
        coef, intercept = model.coef_, model.intercept_
    elif weights is None:
        model = OneVsRestClassifier(liblinear(penalty, c, scaling)).fit(xd, y)
        coef = np.vstack([e.coef_ for e in model.estimators_])
        intercept = np.concatenate([e.intercept_ for e in model.estimators_])
    else:
        # One-vs-rest by hand: OneVsRestClassifier passes no sample_weight without metadata routing.
        estimators = [liblinear(penalty, c, scaling).fit(xd, (y == k).astype(int), sample_weight=weights) for k in classes]
        coef = np.vstack([e.coef_ for e in estimators])
        intercept = np.concatenate([e.intercept_ for e in estimators])
        scores = xd @ coef.T + intercept
        return fixture_entry(penalty, c, scaling, classes, coef, intercept, float(np.mean(classes[scores.argmax(axis=1)] == y)))
    return fixture_entry(penalty, c, scaling, classes, coef, intercept, float(model.score(xd, y)))


def fixture_entry(penalty, c, scaling, classes, coef, intercept, accuracy):
    return {
        "penalty": penalty,
        "C": c,
        "intercept_scaling": scaling,
        "classes": classes.tolist(),
        "coefficients": coef.tolist(),
        "intercepts": intercept.tolist(),
        "accuracy": accuracy,
    }


def main():
    rng = np.random.default_rng(20240601)
    problems = []
    for name, n, d, classes, grid in [
        ("binary", 300, 12, 2, [0.02, 0.1, 0.5, 3.0]),
        ("three-class", 360, 10, 3, [0.05, 0.3, 2.0]),
    ]:
        x, y = make_data(rng, n, d, classes)
        fits = [fit(x, y, "l1", c) for c in grid] + [fit(x, y, "l2", c) for c in (0.1, 1.0)]
        # liblinear penalises the bias feature's weight: a larger scaling weakens that penalty.
        fits += [fit(x, y, "l1", 0.3, scaling=5.0), fit(x, y, "l2", 0.3, scaling=5.0)]
        # Sample weights without drawing from rng, so the data above stay as they were.
        weights = np.array([(0.5, 1.0, 2.0, 3.5)[i % 4] for i in range(n)])
        weighted = [fit(x, y, "l1", c, weights=weights) for c in (0.1, 1.0)] + [fit(x, y, "l2", 0.3, weights=weights)]
        problems.append({"name": name, "rows": n, "columns": d,
                         "features": x.reshape(-1).tolist(), "labels": y.tolist(), "fits": fits,
                         "weights": weights.tolist(), "weighted_fits": weighted})
    out = {"generator": "scripts/make_logreg_fixture.py", "sklearn": sklearn.__version__, "problems": problems}
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Tests", "AssayLearnTests", "Fixtures", "logreg_liblinear.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {os.path.normpath(path)}", file=sys.stderr)


if __name__ == "__main__":
    main()
