#!/usr/bin/env python3
"""Export a PyTorch nn.Sequential MLP to scorekit's model file (safetensors).

The Sequential must alternate nn.Linear layers with at most one activation
after each: ReLU, LeakyReLU (slope 0.01), Tanh, Sigmoid, SiLU, Softplus
(beta 1), ELU (alpha 1), GELU (approximate='tanh'), or Identity. The file holds
layers.<l>.weight (out x in, as PyTorch stores it), layers.<l>.bias and, for
Fourier conditioning, fourier.W, all float32 little-endian, and the
architecture in __metadata__, which scorekit's nn.Load checks.

A conditional model is the Sequential applied to x with the conditioning
value c appended: for a model of d-dimensional data the net's input is
    [x, c']                                  (width d + 1), or
    [x, sin(2 pi W c'), cos(2 pi W c')]      (width d + 2F, Fourier features)
where c' is sigma (cond="sigma"), log sigma (cond="logsigma") or t
(cond="time"), and W holds the F fixed frequencies (score_sde's
GaussianFourierProjection, W = randn(F) * scale, is this layout). With
scale_by_sigma the score is net(...) / sigma for a sigma model (NCSN's
output scaling) and net(...) / std for a time model, std = sigma(t) the
standard deviation of the SDE's perturbation kernel at t (score_sde's
scale_by_sigma, one idea for both; nn.Load does not read the SDE, which
nn.Model.SetPerturbation gives, and scorekit sample takes it from -sde or
from the file's scorekit.sde entry, which export's sde= writes). score()
below computes this formula in PyTorch: check that your model agrees with
it before exporting. scorekit's float32
result agrees with it to rounding, not bit for bit: its matrix products
sum in another order, and it multiplies by the float32 reciprocal of
sigma where score() divides (dividing or multiplying here changes the
fixtures' worst relative difference from torch by at most 1e-7, against
up to 7e-6 from the rest of the forward pass; nn's tests allow 1e-5).

As a library:
    from export_torch import export, score
    export(net, "net.safetensors")                      # s(x) = net(x)
    export(net, "ncsn.safetensors", cond="logsigma", scale_by_sigma=True)
    W = torch.randn(16) * 16                            # fixed, not trained
    export(net, "sde.safetensors", cond="time", fourier_W=W, fourier_scale=16)
    s = score(net, x, t, cond="time", fourier_W=W)      # what Go's TimeScore returns
    export(net, "ve.safetensors", cond="time", fourier_W=W, scale_by_sigma=True, sde="ve:0.01:50")
    std = 0.01 * (50 / 0.01) ** t                       # the SDE's sigma(t): VE here
    s = score(net, x, t, cond="time", fourier_W=W, scale_by_sigma=True, std=std)

scorekit loads them with nn.Load; NoiseScore(dst, x, sigma) answers a sigma
model and TimeScore(dst, x, t) a time model (a scale_by_sigma one once
SetPerturbation has given it the SDE, whose sigma(t) is std).

As a command, it writes the interop fixtures nn/testdata holds, from real
PyTorch, each a model file and an _io file of inputs and torch's outputs:
    env -u OPENBLAS_CORETYPE /usr/bin/python3 scripts/export_torch.py --fixture nn/testdata [mlp] [sigma] [time] [plainsigma] [fouriersigma] [timestd]
mlp is the unconditional model (torch_mlp, torch_io), sigma a log-sigma
conditional model scaled by 1/sigma (torch_sigma, torch_sigma_io), time a
time-conditional model with Fourier features (torch_time, torch_time_io),
plainsigma a sigma-conditional model, input sigma itself and no scaling
(torch_plainsigma, torch_plainsigma_io), fouriersigma NCSN++'s: Fourier
features of log sigma, scaled by 1/sigma (torch_fouriersigma,
torch_fouriersigma_io), and timestd score_sde's VE model: Fourier features
of t, scaled by 1/sigma(t) of the VE SDE with sigma_min 0.01 and sigma_max
50, computed in float64 (torch_timestd, torch_timestd_io, which also holds
sigma(t) and the SDE); no names means all six. The models and inputs are
seeded and reproduce bit for bit; torch's outputs may differ in the last
bit with another BLAS (torch_io does on this machine's torch 1.13), so
write only the fixtures you mean to change.
The safetensors package is not needed: the format is written here directly.
"""
import argparse
import json
import math
import os
import struct

import torch
import torch.nn as nn

FORMAT = "scorekit-mlp-v1"


def _act_name(m):
    if isinstance(m, nn.ReLU):
        return "relu"
    if isinstance(m, nn.LeakyReLU):
        if abs(m.negative_slope - 0.01) > 0:
            raise ValueError("LeakyReLU: scorekit's slope is 0.01, got %g" % m.negative_slope)
        return "leakyrelu"
    if isinstance(m, nn.Tanh):
        return "tanh"
    if isinstance(m, nn.Sigmoid):
        return "sigmoid"
    if isinstance(m, nn.SiLU):
        return "silu"
    if isinstance(m, nn.Softplus):
        if m.beta != 1:
            raise ValueError("Softplus: scorekit's beta is 1, got %g" % m.beta)
        return "softplus"
    if isinstance(m, nn.ELU):
        if m.alpha != 1:
            raise ValueError("ELU: scorekit's alpha is 1, got %g" % m.alpha)
        return "elu"
    if isinstance(m, nn.GELU):
        if getattr(m, "approximate", "none") != "tanh":
            raise ValueError("GELU: scorekit computes the tanh form; use nn.GELU(approximate='tanh')")
        return "gelu"
    if isinstance(m, nn.Identity):
        return "identity"
    raise ValueError("unsupported module %r" % (m,))


def _layers(net):
    """Return [(Linear, activation name)] for a Sequential."""
    out = []
    for m in net:
        if isinstance(m, nn.Linear):
            out.append([m, "identity"])
        else:
            if not out or out[-1][1] != "identity":
                raise ValueError("an activation must follow a Linear, at most one per Linear: %r" % (m,))
            out[-1][1] = _act_name(m)
    if not out:
        raise ValueError("no Linear layers")
    return out


def write_safetensors(path, tensors, metadata):
    """Write float32 tensors (name -> torch.Tensor) and string metadata."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}} if metadata else {}
    blobs, off = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        b = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


CONDS = ("none", "sigma", "logsigma", "time")


def _check_cond(cond, fourier_W, scale_by_sigma):
    """Return fourier_W as a 1-D float32 tensor (or None), or raise for a
    combination scorekit's nn.Load would refuse."""
    if cond not in CONDS:
        raise ValueError("cond %r: want one of %s" % (cond, ", ".join(CONDS)))
    if scale_by_sigma and cond == "none":
        raise ValueError("scale_by_sigma needs cond='sigma', 'logsigma' or 'time', have 'none'")
    if fourier_W is None:
        return None
    if cond == "none":
        raise ValueError("fourier_W needs a conditioning (cond='sigma', 'logsigma' or 'time')")
    W = torch.as_tensor(fourier_W).detach().to(torch.float32).cpu()
    if W.dim() != 1 or W.numel() == 0:
        raise ValueError("fourier_W must be a non-empty 1-D tensor of frequencies, got shape %s" % list(W.shape))
    return W


def features(c, cond, fourier_W=None):
    """The conditioning columns for values c (a tensor of n values): c' =
    c, log c or c as cond says, then c' itself (n x 1) or, with fourier_W,
    [sin(2 pi W c'), cos(2 pi W c')] (n x 2F), in c's dtype."""
    c = torch.as_tensor(c)
    v = torch.log(c) if cond == "logsigma" else c
    v = v.reshape(-1, 1)
    if fourier_W is None:
        return v
    W = torch.as_tensor(fourier_W).to(device=v.device, dtype=v.dtype).reshape(1, -1)
    proj = 2 * math.pi * W * v
    return torch.cat([torch.sin(proj), torch.cos(proj)], dim=1)


def score(net, x, c=None, cond="none", fourier_W=None, scale_by_sigma=False, std=None):
    """The score s(x, c) the exported file means, computed by PyTorch: x is
    n x d, c a number or n values (sigma or t, one per row). With
    scale_by_sigma and cond="time", std is sigma(t) of the SDE at c (a
    number or n values).
    This is what scorekit's Score, NoiseScore or TimeScore returns for the
    loaded model (energy models are not covered)."""
    fourier_W = _check_cond(cond, fourier_W, scale_by_sigma)
    time_scaled = scale_by_sigma and cond == "time"
    if time_scaled and std is None:
        raise ValueError("scale_by_sigma with cond='time' needs std, the SDE's sigma(t) at c")
    if std is not None and not time_scaled:
        raise ValueError("std is used only with scale_by_sigma=True and cond='time'")
    if cond == "none":
        return net(x)
    c = torch.as_tensor(c, dtype=x.dtype, device=x.device)  # x's device, as the net's
    if c.dim() == 0:
        c = c.expand(x.shape[0])
    y = net(torch.cat([x, features(c, cond, fourier_W)], dim=1))
    if scale_by_sigma and not time_scaled:
        y = y / c.reshape(-1, 1)
    if time_scaled:
        s = torch.as_tensor(std, dtype=x.dtype, device=x.device)
        if s.dim() == 0:
            s = s.expand(x.shape[0])
        y = y / s.reshape(-1, 1)
    return y


def export(net, path, cond="none", fourier_W=None, fourier_scale=16.0, scale_by_sigma=False, energy=False,
           sde=None):
    """Write net (nn.Sequential of Linear + activations) to path.

    cond is "none", "sigma", "logsigma" or "time": the conditioning value
    (sigma, log sigma or t) is the net's last input column, or, with
    fourier_W (a 1-D tensor of F frequencies), the last 2F columns
    [sin 2 pi W c, cos 2 pi W c]. fourier_scale is recorded in the file
    (scorekit draws fresh frequencies with it only for a new model; the
    loaded ones are fourier_W). scale_by_sigma divides the net's output by
    sigma, or a time model's by the SDE's sigma(t). See score()
    for the whole computation. sde, for a time model, records the SDE it
    was trained on as scorekit train does ("ve:SIGMA_MIN:SIGMA_MAX",
    "vp:BETA_MIN:BETA_MAX" or "subvp:BETA_MIN:BETA_MAX"), so that scorekit
    sample needs no -sde (and refuses another)."""
    fourier_W = _check_cond(cond, fourier_W, scale_by_sigma)
    if sde is not None:
        _check_sde(sde, cond)
    layers = _layers(net)
    n_in = layers[0][0].in_features
    cond_width = 0 if cond == "none" else (2 * len(fourier_W) if fourier_W is not None else 1)
    dim = n_in - cond_width
    n_out = layers[-1][0].out_features
    if dim <= 0 or n_out != (1 if energy else dim):
        raise ValueError("widths %d -> %d do not fit dim %d with %d conditioning columns (energy=%s)"
                         % (n_in, n_out, dim, cond_width, energy))
    tensors = {}
    for l, (lin, _) in enumerate(layers):
        tensors["layers.%d.weight" % l] = lin.weight
        b = lin.bias if lin.bias is not None else torch.zeros(lin.out_features)
        tensors["layers.%d.bias" % l] = b
    if fourier_W is not None:
        tensors["fourier.W"] = fourier_W
    meta = {
        "format": FORMAT,
        "dim": dim,
        "hidden": ",".join(str(lin.out_features) for lin, _ in layers[:-1]),
        "activations": ",".join(a for _, a in layers),
        "cond": cond,
        "fourier": 0 if fourier_W is None else len(fourier_W),
        "fourier_scale": repr(float(fourier_scale)),
        "scale_by_sigma": "true" if scale_by_sigma else "false",
        "energy": "true" if energy else "false",
    }
    if sde is not None:
        meta["scorekit.sde"] = sde
    write_safetensors(path, tensors, meta)


def _check_sde(sde, cond):
    """Raise ValueError unless sde is an SDE scorekit reads, for a time model."""
    if cond != "time":
        raise ValueError("sde is for a time model (cond='time'), have %r" % cond)
    parts = sde.split(":") if isinstance(sde, str) else []
    if len(parts) != 3 or parts[0] not in ("ve", "vp", "subvp"):
        raise ValueError("sde %r: want ve:SIGMA_MIN:SIGMA_MAX, vp:BETA_MIN:BETA_MAX or subvp:BETA_MIN:BETA_MAX" % (sde,))
    try:
        lo, hi = float(parts[1]), float(parts[2])
    except ValueError:
        raise ValueError("sde %r: its two parameters are not numbers" % (sde,))
    if not (0 <= lo < hi < math.inf) or (parts[0] == "ve" and lo == 0):
        raise ValueError("sde %r: want finite 0 <= min < max (sigma_min > 0)" % (sde,))


def _fixture_mlp(outdir):
    """A small model with every smooth activation, inputs and torch's outputs."""
    torch.manual_seed(5)
    net = nn.Sequential(
        nn.Linear(3, 16), nn.SiLU(),
        nn.Linear(16, 16), nn.Tanh(),
        nn.Linear(16, 16), nn.Softplus(),
        nn.Linear(16, 16), nn.GELU(approximate="tanh"),
        nn.Linear(16, 16), nn.ELU(),
        nn.Linear(16, 16), nn.LeakyReLU(),
        nn.Linear(16, 16), nn.Sigmoid(),
        nn.Linear(16, 3),
    )
    x = torch.randn(64, 3) * 2
    with torch.no_grad():
        y = net(x)
    export(net, os.path.join(outdir, "torch_mlp.safetensors"))
    write_safetensors(os.path.join(outdir, "torch_io.safetensors"), {"x": x, "y": y},
                      {"torch": torch.__version__})


def _fixture_cond(outdir, name, net, cond, levels, per_level, fourier_W=None, fourier_scale=16.0,
                  scale_by_sigma=False, std_of=None, meta=None, sde=None):
    """Export net and write name_io: x (n x d), c (n: per_level rows at each
    of levels, in runs) and y = score(net, x, c), as PyTorch computes it.
    std_of, for a scale_by_sigma time model, is a function of the float32
    tensor c giving the SDE's sigma(t) (in float64), and name_io holds std
    too, rounded to float32; meta adds to name_io's metadata and sde is
    recorded in the model file (see export)."""
    dim = net[-1].out_features
    c = torch.tensor(levels, dtype=torch.float32).repeat_interleave(per_level)
    x = torch.randn(len(c), dim) * 2
    io = {"x": x, "c": c}
    std = None
    if std_of is not None:
        std = std_of(c)
        io["std"] = std
    with torch.no_grad():
        io["y"] = score(net, x, c, cond=cond, fourier_W=fourier_W, scale_by_sigma=scale_by_sigma, std=std)
    export(net, os.path.join(outdir, name + ".safetensors"), cond=cond, fourier_W=fourier_W,
           fourier_scale=fourier_scale, scale_by_sigma=scale_by_sigma, sde=sde)
    write_safetensors(os.path.join(outdir, name + "_io.safetensors"), io,
                      dict({"torch": torch.__version__, "cond": cond}, **(meta or {})))


def _fixture_sigma(outdir):
    """NCSN's conditioning: input log sigma, output divided by sigma, at
    noise levels from 0.01 to 20 (none at 1, where 1/sigma and 1/sigma^2
    agree)."""
    torch.manual_seed(6)
    net = nn.Sequential(nn.Linear(3, 16), nn.SiLU(), nn.Linear(16, 16), nn.SiLU(), nn.Linear(16, 2))
    _fixture_cond(outdir, "torch_sigma", net, "logsigma", [0.01, 0.05, 0.2, 0.7, 1.6, 4.0, 9.0, 20.0], 4,
                  scale_by_sigma=True)


def _fixture_time(outdir):
    """score_sde's time conditioning: Gaussian Fourier features of t, with
    W = randn(F) * scale drawn as GaussianFourierProjection draws it."""
    torch.manual_seed(7)
    F, scale = 4, 16.0
    W = torch.randn(F) * scale
    net = nn.Sequential(nn.Linear(2 + 2 * F, 16), nn.SiLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    _fixture_cond(outdir, "torch_time", net, "time", [1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0], 4,
                  fourier_W=W, fourier_scale=scale)


def _fixture_plainsigma(outdir):
    """Plain sigma conditioning: the input is sigma itself, not its log, and
    the output is not scaled, at the same noise levels as sigma (so an input
    of log sigma misses by far more than float32 roundings)."""
    torch.manual_seed(8)
    net = nn.Sequential(nn.Linear(3, 16), nn.SiLU(), nn.Linear(16, 16), nn.SiLU(), nn.Linear(16, 2))
    _fixture_cond(outdir, "torch_plainsigma", net, "sigma", [0.01, 0.05, 0.2, 0.7, 1.6, 4.0, 9.0, 20.0], 4)


def _fixture_fouriersigma(outdir):
    """NCSN++'s conditioning (score_sde): Gaussian Fourier features of
    log sigma, [sin 2 pi W log sigma, cos 2 pi W log sigma] with
    W = randn(F) * scale, and the output divided by sigma, at noise levels
    from 0.01 to 20."""
    torch.manual_seed(9)
    F, scale = 4, 16.0
    W = torch.randn(F) * scale
    net = nn.Sequential(nn.Linear(2 + 2 * F, 16), nn.SiLU(), nn.Linear(16, 16), nn.SiLU(), nn.Linear(16, 2))
    _fixture_cond(outdir, "torch_fouriersigma", net, "logsigma", [0.01, 0.05, 0.2, 0.7, 1.6, 4.0, 9.0, 20.0], 4,
                  fourier_W=W, fourier_scale=scale, scale_by_sigma=True)


def _fixture_timestd(outdir):
    """score_sde's VE models: Gaussian Fourier features of t and the output
    divided by the VE SDE's sigma(t) = sigma_min (sigma_max/sigma_min)^t,
    sigma_min 0.01 and sigma_max 50 (score_sde's defaults), computed in
    float64 at the float32 t as scorekit computes it, at t from 0.001 to 1
    (sigma from 0.0101 to 50; none at 0.54, where sigma = 1)."""
    torch.manual_seed(10)
    F, scale = 4, 16.0
    W = torch.randn(F) * scale
    net = nn.Sequential(nn.Linear(2 + 2 * F, 16), nn.SiLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    sigma_min, sigma_max = 0.01, 50.0

    def std_of(t):
        return sigma_min * (sigma_max / sigma_min) ** t.to(torch.float64)

    _fixture_cond(outdir, "torch_timestd", net, "time", [1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0], 4,
                  fourier_W=W, fourier_scale=scale, scale_by_sigma=True, std_of=std_of, sde="ve:0.01:50",
                  meta={"sde": "ve", "sigma_min": repr(sigma_min), "sigma_max": repr(sigma_max)})


FIXTURES = {"mlp": _fixture_mlp, "sigma": _fixture_sigma, "time": _fixture_time,
            "plainsigma": _fixture_plainsigma, "fouriersigma": _fixture_fouriersigma,
            "timestd": _fixture_timestd}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", metavar="DIR", help="write the interop fixtures into DIR")
    ap.add_argument("names", nargs="*", metavar="NAME",
                    help="fixtures to write with --fixture: %s (default all)" % ", ".join(FIXTURES))
    args = ap.parse_args()
    for name in args.names:
        if name not in FIXTURES:
            ap.error("unknown fixture %r: want %s" % (name, ", ".join(sorted(FIXTURES))))
    if args.fixture:
        os.makedirs(args.fixture, exist_ok=True)
        for name in args.names or sorted(FIXTURES):
            FIXTURES[name](args.fixture)
            print("wrote", name, "in", args.fixture, "torch", torch.__version__)
    else:
        ap.print_help()
