#!/usr/bin/python3
"""Reference samples of the toy data sets (numpy only), written from the
definitions in FFJORD's toy_data.py (Grathwohl et al. 2019) and the
scikit-learn generators it calls (make_moons, make_swiss_roll,
make_circles): 1000 rows of each, which toy_ref_test.go compares with
data.Named's by a two-sample energy-distance permutation test. The
scikit-learn generators place the points of each arc at evenly spaced
angles; here the angles are uniform draws, the same distribution. Run from
this directory:

    /usr/bin/python3 toy_ref.py > toy_ref.json
"""
import json

import numpy as np

N = 1000
rng = np.random.RandomState(20261205)


def eight_gaussians():
    s = 1 / np.sqrt(2)
    centers = 4 * np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s), (-s, -s)])
    x = rng.randn(N, 2) * 0.5 + centers[rng.randint(8, size=N)]
    return x / 1.414


def moons():
    n_out = N // 2
    t = np.pi * rng.rand(N)
    outer = np.stack([np.cos(t[:n_out]), np.sin(t[:n_out])], 1)
    inner = np.stack([1 - np.cos(t[n_out:]), 1 - np.sin(t[n_out:]) - 0.5], 1)
    x = np.concatenate([outer, inner]) + 0.1 * rng.randn(N, 2)
    return x * 2 + np.array([-1, -0.2])


def swissroll():
    t = 1.5 * np.pi * (1 + 2 * rng.rand(N))
    x = np.stack([t * np.cos(t), 21 * rng.rand(N), t * np.sin(t)], 1) + rng.randn(N, 3)
    return x[:, [0, 2]] / 5


def circles():
    n_out = N // 2
    t = 2 * np.pi * rng.rand(N)
    r = np.where(np.arange(N) < n_out, 1.0, 0.5)
    x = np.stack([r * np.cos(t), r * np.sin(t)], 1) + 0.08 * rng.randn(N, 2)
    return x * 3


def checkerboard():
    x1 = rng.rand(N) * 4 - 2
    x2_ = rng.rand(N) - rng.randint(0, 2, N) * 2
    x2 = x2_ + (np.floor(x1) % 2)
    return np.concatenate([x1[:, None], x2[:, None]], 1) * 2


def pinwheel():
    radial_std, tangential_std, num_classes, rate = 0.3, 0.1, 5, 0.25
    per_class = N // num_classes
    rads = np.linspace(0, 2 * np.pi, num_classes, endpoint=False)
    features = rng.randn(num_classes * per_class, 2) * np.array([radial_std, tangential_std])
    features[:, 0] += 1.0
    labels = np.repeat(np.arange(num_classes), per_class)
    angles = rads[labels] + rate * np.exp(features[:, 0])
    rotations = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)])
    rotations = np.reshape(rotations.T, (-1, 2, 2))
    return 2 * rng.permutation(np.einsum("ti,tij->tj", features, rotations))


def mixture():  # NCSN: 0.8 N((5, 5), I) + 0.2 N((-5, -5), I)
    k = rng.rand(N) < 0.8
    return np.where(k[:, None], 5.0, -5.0) + rng.randn(N, 2)


SETS = {"8gaussians": eight_gaussians, "moons": moons, "swissroll": swissroll, "circles": circles,
        "checkerboard": checkerboard, "pinwheel": pinwheel, "mixture": mixture}

if __name__ == "__main__":
    out = {name: [float("%.6g" % v) for v in f().ravel()] for name, f in SETS.items()}
    print(json.dumps(out, separators=(",", ":")))
