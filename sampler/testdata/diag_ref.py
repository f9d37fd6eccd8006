#!/usr/bin/python3
"""Independent reference for sampler/diag.go (numpy only, no scipy/arviz).

Written from the definitions of Vehtari, Gelman, Simpson, Carpenter and
Bürkner (2021), "Rank-normalization, folding, and localization: an improved
R-hat", as Stan and ArviZ implement them: biased autocovariance (computed
here directly, not by FFT), Geyer's initial positive then monotone sequence
with the first non-positive pair's even-lag autocorrelation added once if
positive (Stan's "improved estimate" for antithetic chains), pairs up to
lag N-1 (Stan and ArviZ stop a pair or two earlier, so short chains differ);
split chains drop the middle draw of an odd N; rank normalisation with
average ranks and (r - 3/8)/(S + 1/4); the fold |x - median| and the tail
quantiles over all (unsplit) draws; NaN for constant or non-finite draws.
The Monte Carlo standard error of the mean is ArviZ's and posterior's
mcse_mean: the pooled draws' sample standard deviation over the square root
of the ESS of the split chains.
The median of the fold is computed as a + (b - a)/2 from the two middle
draws, as Go's type-7 quantile rounds it. Its exact tie between those two
draws' folds still depends on the last bit of the draws, which the two
generators may round differently (math.log, math.cos), so the Cauchy case,
whose draws go through a division, has an odd number of draws.

The chains come from a generator that internal/refrand reproduces (splitmix64,
Box-Muller), so only the results are stored. Run from this directory:

    /usr/bin/python3 diag_ref.py > diag_ref.json
"""
import json
import math
import statistics

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

    def uniform(self):  # in (0, 1)
        return ((self.next() >> 11) + 0.5) * 2.0**-53

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def make_chains(case):
    """The chains of a case; diag_ref_test.go's makeChains mirrors this."""
    rng = SplitMix(case["seed"])
    m, n, kind = case["m"], case["n"], case["kind"]
    phi, shift, scale0 = case.get("phi", 0.0), case.get("shift", 0.0), case.get("scale0", 1.0)
    out = []
    for c in range(m):
        ch = []
        if kind == "ar1":
            s = math.sqrt(1 - phi * phi)
            x = rng.normal()
            for _ in range(n):
                x = phi * x + s * rng.normal()
                v = x + c * shift
                if c == 0:
                    v *= scale0
                ch.append(v)
        elif kind == "cauchy":
            for _ in range(n):
                ch.append(rng.normal() / rng.normal())
        elif kind == "ties":
            for _ in range(n):
                ch.append(float(rng.next() % 5))
        elif kind == "trend":
            for t in range(n):
                ch.append(t / 100 + rng.normal())
        elif kind == "stuck":  # each chain constant, the chains differ
            ch = [float(c + 1)] * n
        out.append(ch)
    return np.array(out, dtype=float)


def autocov(x):
    n = len(x)
    xc = x - x.mean()
    return np.correlate(xc, xc, mode="full")[n - 1:] / n


def ess(x):
    x = np.asarray(x, dtype=float)
    m, n = x.shape
    if not np.all(np.isfinite(x)) or np.all(x == x.flat[0]):
        return math.nan
    acov = np.array([autocov(ch) for ch in x])
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n
    if m > 1:
        var_plus += x.mean(axis=1).var(ddof=1)

    def rho(t):
        return 1 - (mean_var - acov[:, t].mean()) / var_plus

    # Pairs (rho_2k, rho_2k+1), rho_0 = 1, over every lag up to n-1 (Stan
    # and ArviZ stop a pair or two earlier); kept while their sum is
    # positive, then made non-increasing. The first non-positive pair's
    # even autocorrelation is added once if positive (Stan's "improved
    # estimate" for antithetic chains).
    pairs, extra = [], 0.0
    for k in range(n // 2):
        even = 1.0 if k == 0 else rho(2 * k)
        p = even + rho(2 * k + 1)
        if not p > 0:
            extra = max(even, 0.0)
            break
        pairs.append(p)
    pairs = np.minimum.accumulate(np.array(pairs)) if pairs else np.zeros(0)
    total = m * n
    tau = -1 + 2 * pairs.sum() + extra
    tau = max(tau, 1 / math.log10(total))
    return total / tau


def split(x):
    h = x.shape[1] // 2
    return np.concatenate([x[:, :h], x[:, x.shape[1] - h:]])


def ranks(v):
    """Average ranks (1-based) of the flat array v."""
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    sv = v[order]
    i = 0
    while i < len(v):
        j = i
        while j < len(v) and sv[j] == sv[i]:
            j += 1
        r[order[i:j]] = (i + 1 + j) / 2
        i = j
    return r


def z_scale(x):
    s = x.size
    r = ranks(x.ravel())
    nd = statistics.NormalDist()
    z = np.array([nd.inv_cdf((ri - 0.375) / (s + 0.25)) for ri in r])
    return z.reshape(x.shape)


def rhat_basic(x):
    m, n = x.shape
    w = x.var(axis=1, ddof=1).mean()
    b = n * x.mean(axis=1).var(ddof=1)
    return math.sqrt((b / w + n - 1) / n)


def median(x):
    s = np.sort(x.ravel())
    h = 0.5 * (len(s) - 1)
    i = int(math.floor(h))
    if i + 1 >= len(s):
        return s[-1]
    return s[i] + (h - i) * (s[i + 1] - s[i])


def invalid(x):
    return not np.all(np.isfinite(x)) or np.all(x == x.flat[0])


def split_rhat(x):
    if invalid(x):
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        bulk = rhat_basic(z_scale(split(x)))
        tail = rhat_basic(z_scale(split(np.abs(x - median(x)))))
    if math.isinf(bulk) or math.isinf(tail):
        return math.inf  # no variance within chains, some between them
    if math.isnan(bulk) or math.isnan(tail):
        return math.nan
    return max(bulk, tail)


def bulk_ess(x):
    if invalid(x):
        return math.nan
    return ess(z_scale(split(x)))


def tail_ess(x):
    if invalid(x):
        return math.nan
    e = []
    for p in (0.05, 0.95):
        q = np.quantile(x, p)  # linear interpolation (type 7)
        e.append(ess(split((x <= q).astype(float))))
    return math.nan if any(math.isnan(v) for v in e) else min(e)


def mcse_mean(x):
    if invalid(x):
        return math.nan
    return np.std(x, ddof=1) / math.sqrt(ess(split(x)))


CASES = [
    dict(name="ar1 phi=0.9", seed=1, m=4, n=1000, kind="ar1", phi=0.9),
    dict(name="ar1 phi=0.5 odd", seed=2, m=3, n=501, kind="ar1", phi=0.5),
    dict(name="ar1 phi=-0.6", seed=3, m=4, n=1000, kind="ar1", phi=-0.6),
    dict(name="ar1 phi=-0.3", seed=4, m=4, n=1000, kind="ar1", phi=-0.3),
    dict(name="iid one chain", seed=5, m=1, n=200, kind="ar1"),
    dict(name="iid many chains", seed=6, m=64, n=20, kind="ar1"),
    dict(name="shifted means", seed=7, m=4, n=300, kind="ar1", phi=0.5, shift=0.5),
    dict(name="scales", seed=8, m=4, n=301, kind="ar1", scale0=3.0),
    dict(name="cauchy", seed=9, m=3, n=301, kind="cauchy"),  # odd MN: see median
    dict(name="ties", seed=10, m=4, n=100, kind="ties"),
    dict(name="trend one chain", seed=11, m=1, n=101, kind="trend"),
    dict(name="stuck chains", seed=12, m=2, n=10, kind="stuck"),
    dict(name="n=4", seed=13, m=3, n=4, kind="ar1", phi=0.3),
    dict(name="n=5", seed=14, m=2, n=5, kind="ar1", phi=0.3),
    dict(name="n=7", seed=15, m=3, n=7, kind="ar1", phi=0.3),
    dict(name="n=8", seed=16, m=2, n=8, kind="ar1", phi=0.3),
    dict(name="n=9", seed=17, m=2, n=9, kind="ar1", phi=0.3),
]


def num(v):
    return None if math.isnan(v) else (str(v) if math.isinf(v) else v)


def main():
    out = []
    for case in CASES:
        x = make_chains(case)
        r = dict(case)
        r["ess"] = num(ess(x))
        r["rhat"] = num(split_rhat(x))
        if case["n"] >= 8:
            r["bulk"] = num(bulk_ess(x))
            r["tail"] = num(tail_ess(x))
            r["mcse"] = num(mcse_mean(x))
        r["first"] = x[0, :3].tolist()  # to check the generator
        out.append(r)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
