#!/usr/bin/env python3
"""Export a PyTorch nn.Sequential MLP to scorekit's model file (safetensors).

The Sequential must alternate nn.Linear layers with at most one activation
after each: ReLU, LeakyReLU (slope 0.01), Tanh, Sigmoid, SiLU, Softplus
(beta 1), ELU (alpha 1), GELU (approximate='tanh'), or Identity. The file holds
layers.<l>.weight (out x in, as PyTorch stores it), layers.<l>.bias and, for
Fourier conditioning, fourier.W, all float32 little-endian, and the
architecture in __metadata__, which scorekit's nn.Load checks.

As a library:
    from export_torch import export
    export(net, "model.safetensors", cond="logsigma", scale_by_sigma=True)

As a command, it writes the interop fixture nn/testdata uses:
    env -u OPENBLAS_CORETYPE /usr/bin/python3 scripts/export_torch.py --fixture nn/testdata
The safetensors package is not needed: the format is written here directly.
"""
import argparse
import json
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


def export(net, path, cond="none", fourier_W=None, fourier_scale=16.0, scale_by_sigma=False, energy=False):
    """Write net (nn.Sequential of Linear + activations) to path.

    cond is "none", "sigma", "logsigma" or "time": the conditioning scalar is
    the net's last input column, or, with fourier_W (a 1-D tensor of F
    frequencies), the last 2F columns [sin 2 pi W c, cos 2 pi W c]."""
    layers = _layers(net)
    n_in = layers[0][0].in_features
    cond_width = 0 if cond == "none" else (2 * len(fourier_W) if fourier_W is not None else 1)
    dim = n_in - cond_width
    n_out = layers[-1][0].out_features
    if dim <= 0 or n_out != (1 if energy else dim):
        raise ValueError("widths %d -> %d do not fit dim %d (energy=%s)" % (n_in, n_out, dim, energy))
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
    write_safetensors(path, tensors, meta)


def fixture(outdir):
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
    os.makedirs(outdir, exist_ok=True)
    export(net, os.path.join(outdir, "torch_mlp.safetensors"))
    write_safetensors(os.path.join(outdir, "torch_io.safetensors"), {"x": x, "y": y},
                      {"torch": torch.__version__})
    print("wrote", outdir, "torch", torch.__version__)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", metavar="DIR", help="write the interop fixture into DIR")
    args = ap.parse_args()
    if args.fixture:
        fixture(args.fixture)
    else:
        ap.print_help()
