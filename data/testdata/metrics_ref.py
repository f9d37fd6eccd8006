#!/usr/bin/python3
"""Independent reference for data/metrics.go (numpy only).

Definitions, written from the literature rather than from the Go code:
- MMD^2, unbiased (Gretton et al. 2012, eq. 3): means of k over distinct
  pairs within each sample, minus twice the mean over all cross pairs, with
  k(a, b) = exp(-|a - b|^2 / l2), l2 the median of |a - b|^2 over the
  distinct pairs of rows of the pooled sample made of the first 1000 rows
  of each (the mean of the two middle values for an even count).
- Energy distance (Szekely & Rizzo 2013): 2 E|X - Y| - E|X - X'| - E|Y - Y'|
  with the within-sample means over distinct pairs (U-statistics).
- W2^2 between two one-dimensional empirical measures, exactly: the
  integral over u in (0, 1) of (F^-1(u) - G^-1(u))^2, piecewise constant
  between the breakpoints i/n and j/m.

The samples come from a generator that internal/refrand reproduces
(splitmix64, Box-Muller, rounded to float32), so only the results are
stored. Run from this directory:

    /usr/bin/python3 metrics_ref.py > metrics_ref.json
"""
import json
import math

import numpy as np

MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return ((self.next() >> 11) + 0.5) * 2.0**-53

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def sample(rng, n, d, shift, scale):
    """n rows of N(shift, scale^2 I), rounded to float32 as Go stores them."""
    x = np.array([[shift + scale * rng.normal() for _ in range(d)] for _ in range(n)])
    return x.astype(np.float32).astype(np.float64)


def sqdist(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def median_sqdist(x, y):
    p = np.concatenate([x[:1000], y[:1000]])
    d2 = sqdist(p, p)
    return float(np.median(d2[np.triu_indices(len(p), k=1)]))


def mmd2(x, y, l2):
    n, m = len(x), len(y)
    kxx, kyy, kxy = np.exp(-sqdist(x, x) / l2), np.exp(-sqdist(y, y) / l2), np.exp(-sqdist(x, y) / l2)
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def energy(x, y):
    n, m = len(x), len(y)
    dxy, dxx, dyy = np.sqrt(sqdist(x, y)), np.sqrt(sqdist(x, x)), np.sqrt(sqdist(y, y))
    return float(2 * dxy.mean() - dxx.sum() / (n * (n - 1)) - dyy.sum() / (m * (m - 1)))


def w2sq_1d(a, b):
    a, b = np.sort(a), np.sort(b)
    n, m = len(a), len(b)
    cuts = np.unique(np.concatenate([np.arange(n + 1) / n, np.arange(m + 1) / m]))
    tot = 0.0
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        u = (lo + hi) / 2
        tot += (hi - lo) * (a[int(u * n)] - b[int(u * m)]) ** 2
    return float(tot)


CASES = [
    dict(name="same d=3", seed=1, n=150, m=120, d=3, shift=0.0, scale=1.0),
    dict(name="shifted d=2", seed=2, n=100, m=100, d=2, shift=0.5, scale=1.0),
    dict(name="scaled d=5", seed=3, n=80, m=130, d=5, shift=0.0, scale=2.0),
    dict(name="tiny d=1", seed=4, n=2, m=3, d=1, shift=1.0, scale=1.0),
    dict(name="1d unequal", seed=5, n=97, m=40, d=1, shift=0.3, scale=1.5),
    dict(name="over 1000 rows", seed=6, n=1100, m=50, d=2, shift=0.2, scale=1.0),
]


def main():
    out = []
    for c in CASES:
        rng = SplitMix(c["seed"])
        x = sample(rng, c["n"], c["d"], 0.0, 1.0)
        y = sample(rng, c["m"], c["d"], c["shift"], c["scale"])
        l2 = median_sqdist(x, y)
        r = dict(c, median_sqdist=l2, mmd2=mmd2(x, y, l2), energy=energy(x, y),
                 first=[float(x[0, 0]), float(y[0, 0])])
        if c["d"] == 1:
            r["w2"] = math.sqrt(w2sq_1d(x[:, 0], y[:, 0]))
        out.append(r)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
