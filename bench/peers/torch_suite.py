#!/usr/bin/python3
"""PyTorch-on-CPU peer of `scorekit bench`: the same workloads, case names
and units as scorekit's standard benchmark set (bench/suite.go), timed in
float32 on the CPU and printed as the same Markdown table (or --json).

Run (see bench/peers/README.md):

    env -u OPENBLAS_CORETYPE /usr/bin/python3 bench/peers/torch_suite.py --threads 1 [--quick] [--json]

Each figure is the best (smallest time per operation; --stat median for the
median) of --reps timed repetitions, after one warm-up call and a
calibration that picks the number of calls per repetition so one
repetition takes about --time seconds, as scorekit's Measure does.
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--threads", type=int, default=1, help="torch intra-op, OpenMP and OpenBLAS threads (default 1)")
ap.add_argument("--quick", action="store_true",
                help="scorekit bench -quick's reduced set (annealed run 10×10 steps), fewer and shorter repetitions")
ap.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
ap.add_argument("--run", default="", help="only the cases whose group, name or impl contains this substring")
ap.add_argument("--reps", type=int, default=0, help="timed repetitions per case (default 5, 3 with --quick)")
ap.add_argument("--time", type=float, default=0, help="seconds per repetition (default 0.2, 0.05 with --quick)")
ap.add_argument("--stat", choices=("best", "median"), default="best", help="which repetition to report (default best)")
ap.add_argument("--any-blas", action="store_true",
                help="run even if torch is on the reference (netlib) BLAS, whose GEMM is ~40× slower than OpenBLAS")
ap.add_argument("--default-malloc", action="store_true",
                help="keep glibc's default trim and mmap thresholds (batch-8192 activations are then returned to the "
                     "kernel and page-faulted in again on every call, several times slower)")
ap.add_argument("-q", action="store_true", help="no progress output on stderr")
args = ap.parse_args()
if args.threads < 1:
    ap.error("--threads must be >= 1")
# 0 is the default; below it, a negative count gave one repetition and a
# negative time one call, reported as if measured.
if args.reps < 0:
    ap.error(f"--reps {args.reps}: want >= 1 (0 for the default)")
if not args.time >= 0 or math.isinf(args.time):
    ap.error(f"--time {args.time}: want a number of seconds > 0 (0 for the default)")
REPS = args.reps or (3 if args.quick else 5)
TARGET = args.time or (0.05 if args.quick else 0.2)

# The thread pools read these when the libraries load: set them before
# importing torch (torch.set_num_threads does not reach OpenBLAS's own pool).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)

MALLOC = "glibc default"
if not args.default_malloc:
    # torch allocates every activation per call. With glibc's defaults the
    # megabyte-sized ones (batch 8192) go back to the kernel on free and
    # fault in again on the next call, which costs more than the GEMMs.
    # Keep freed memory in the heap instead, the steady state a
    # preallocating library (or jemalloc/tcmalloc) has.
    try:
        import ctypes
        _libc = ctypes.CDLL("libc.so.6")
        if _libc.mallopt(-1, 1 << 30) and _libc.mallopt(-3, 32 << 20):  # M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            MALLOC = "glibc, no trim, mmap threshold 32 MiB"
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------- environment

def blas_info():
    """Which BLAS torch's libblas.so.3 is, and OpenBLAS's core if it is OpenBLAS."""
    path = "?"
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1]
                if "libblas.so" in p or "libopenblas" in p:
                    path = os.path.realpath(p)
                    break
    except OSError:
        pass
    try:
        import ctypes
        lib = ctypes.CDLL("libblas.so.3")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return "OpenBLAS core " + lib.openblas_get_corename().decode(), path
    except (OSError, AttributeError):
        return "reference (not OpenBLAS)", path


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model name":
                    return v.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ---------------------------------------------------------------- timing

def measure(run):
    """run(n) performs n operations. Returns (calls per repetition, seconds
    per operation of every repetition)."""
    run(1)  # warm up: first-call allocations, caches, lazy initialisation
    n = 1
    while True:  # calibrate as scorekit's Measure does
        t = time.perf_counter()
        run(n)
        el = time.perf_counter() - t
        if el >= TARGET or n >= 1 << 30:
            break
        n = min(max(int(n * 1.2 * TARGET / max(el, 1e-6)), n + 1), 100 * n)
    times = [el / n]  # the calibration's last run counts as the first repetition
    for _ in range(REPS - 1):
        t = time.perf_counter()
        run(n)
        times.append((time.perf_counter() - t) / n)
    return n, times


def loop(fn):
    def run(n):
        for _ in range(n):
            fn()
    return run


# ---------------------------------------------------------------- cases

CASES = []  # (group, name, work, unit, run)


def case(group, name, work, unit, run):
    CASES.append((group, name, work, unit, run))


def rand(*shape, scale=1.0):
    return torch.randn(*shape) * scale


def mlp(widths, act_last=False):
    layers = []
    for i in range(1, len(widths)):
        layers.append(nn.Linear(widths[i - 1], widths[i]))
        if i < len(widths) - 1 or act_last:
            layers.append(nn.SiLU())
    return nn.Sequential(*layers)


def net_flops(widths):
    return sum(2 * widths[i - 1] * widths[i] for i in range(1, len(widths)))


SMALL = [2, 128, 128, 128, 2]
WIDE = [64, 512, 512, 512, 64]
T = args.threads
ONE = "1 goroutine" if T == 1 else f"{T} goroutine(s)"  # scorekit's name; here: torch threads


def kernel_cases():
    n = 4096
    x, y, dst = rand(n), rand(n), torch.empty(n)
    case("kernels", "dot n=4096", n, "elem", loop(lambda: torch.dot(x, y)))
    case("kernels", "axpy n=4096", n, "elem", loop(lambda: y.add_(x, alpha=1e-9)))
    case("kernels", "silu n=4096", n, "elem", loop(lambda: torch._C._nn.silu(x, out=dst)))
    case("kernels", "tanh n=4096", n, "elem", loop(lambda: torch.tanh(x, out=dst)))


def random_cases():
    big = torch.empty(1 << 20)
    grad = rand(1 << 20)
    noise = torch.empty(1 << 20)
    case("random", "normals n=1M", 1 << 20, "elem", loop(lambda: big.normal_()))

    def ula():
        # torch cannot draw in registers: normals into a buffer, then two
        # in-place passes, x += a·grad + b·z (scorekit's a = 1e-6, b = 1e-3).
        noise.normal_()
        big.add_(grad, alpha=1e-6).add_(noise, alpha=1e-3)
    case("random", "fused ULA step n=1M (noise drawn in-register)", 1 << 20, "elem", loop(ula))


def dense_cases():
    shapes = [(1, 256), (1024, 128), (1024, 256)] if args.quick else \
        [(1, 64), (1, 256), (1, 512), (16, 256), (256, 256), (1024, 64), (1024, 128), (1024, 256), (1024, 512), (4096, 256)]
    for m, kn in shapes:
        x, w, b = rand(m, kn, scale=0.1), rand(kn, kn, scale=0.1), rand(kn, scale=0.1)
        wt = w.t()
        y = torch.empty(m, kn)

        def fwd(x=x, wt=wt, b=b, y=y):
            # Preallocated output, bias in the GEMM, SiLU in place: the
            # fastest torch spelling of y = silu(x·Wᵀ + b).
            torch.addmm(b, x, wt, out=y)
            F.silu(y, inplace=True)
        case("dense", f"dense+bias+silu M={m} K=N={kn}", 2.0 * m * kn * kn, "FLOP", loop(fwd))


def net_cases():
    batches = [1, 1024] if args.quick else [1, 64, 1024, 8192]
    for name, widths in (("small net 2-128-128-128-2", SMALL), ("wide net 64-512-512-512-64", WIDE)):
        net = mlp(widths).eval()
        for b in batches:
            x = rand(b, widths[0], scale=0.1)
            case("networks", f"{name} forward, batch {b}", net_flops(widths) * b, "FLOP",
                 loop(lambda net=net, x=x: net(x)))


def langevin_cases():
    net = mlp(SMALL).eval()
    for chains in (1, 1024):
        x = rand(chains, 2)
        z = torch.empty_like(x)
        h = 1e-4
        s2h = math.sqrt(2 * h)

        def step(x=x, z=z):
            s = net(x)
            z.normal_()
            x.add_(s, alpha=h).add_(z, alpha=s2h)
        case("langevin", f"ULA step, small net, {chains} chain(s), {ONE}", chains, "sample", loop(step))

    # Annealed Langevin (Song & Ermon 2019, Algorithm 1) with the
    # σ-conditional small net, input [x, log σ] (first layer 3 → 128), as
    # scorekit's nn.CondLogSigma: σ geometric from 1 to 0.01, ε = 1e-6,
    # α_i = ε·σ_i²/σ_L², x ← x + (α_i/2)·s(x, σ_i) + √α_i·z.
    levels, steps, chains = 10, (10 if args.quick else 100), 1024
    cnet = mlp([3] + SMALL[1:]).eval()
    sigmas = [math.exp(math.log(0.01) * i / (levels - 1)) for i in range(levels)]
    sigmas[-1] = 0.01
    inp = torch.empty(chains, 3)
    inp[:, :2] = rand(chains, 2)
    x = inp[:, :2]  # a view: the chains live in the net's input, no torch.cat per step
    z = torch.empty(chains, 2)
    plan = [(math.log(s), 0.5 * 1e-6 * s * s / sigmas[-1] ** 2, math.sqrt(1e-6 * s * s / sigmas[-1] ** 2))
            for s in sigmas]

    def annealed():
        for logs, h, b in plan:
            inp[:, 2].fill_(logs)
            for _ in range(steps):
                s = cnet(inp)
                z.normal_()
                x.add_(s, alpha=h).add_(z, alpha=b)
        if not torch.isfinite(x).all():  # scorekit checks for divergence too
            raise RuntimeError("annealed run diverged")
    case("langevin", f"annealed run, small net, {chains} chains, {levels}×{steps} steps, {T} goroutine(s)",
         chains, "sample", loop(annealed))


def training_cases():
    # Net d-128-128-128-d (SiLU), batch 128, Adam lr 1e-4, as suite.go.
    def dsm(net, x, sigma=0.1):
        z = torch.randn_like(x)
        s = net(x + sigma * z)
        return 0.5 * (s + z / sigma).pow(2).sum(1).mean()

    def ssm_vr(net, x):
        # One Gaussian projection v per point: E[vᵀ∇ₓs v] + ½‖s‖², the
        # Jacobian-vector product by a double backward.
        x = x.detach().requires_grad_(True)
        v = torch.randn_like(x)
        s = net(x)
        jv = torch.autograd.grad((s * v).sum(), x, create_graph=True)[0]
        return ((jv * v).sum(1) + 0.5 * s.pow(2).sum(1)).mean()

    def exact_sm(net, x):
        # tr ∇ₓs exactly, by d backward passes (row i of the Jacobian each),
        # kept in the graph for the parameter gradient.
        x = x.detach().requires_grad_(True)
        s = net(x)
        tr = 0
        for i in range(x.shape[1]):
            tr = tr + torch.autograd.grad(s[:, i].sum(), x, create_graph=True)[0][:, i]
        return (tr + 0.5 * s.pow(2).sum(1)).mean()

    lst = [("DSM", 2, dsm), ("SSM-VR", 2, ssm_vr), ("exact SM", 2, exact_sm)]
    if not args.quick:
        lst.append(("exact SM", 16, exact_sm))
    for name, d, loss in lst:
        net = mlp([d, 128, 128, 128, d])
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)
        x = rand(128, d)

        def step(net=net, opt=opt, x=x, loss=loss):
            opt.zero_grad(set_to_none=True)
            loss(net, x).backward()
            opt.step()
        case("training", f"{name} step (forward, backward, Adam), d={d}, batch 128", 1, "step", loop(step))


# ---------------------------------------------------------------- output

def fmt_duration(ns):
    if ns < 1e3:
        return f"{ns:.1f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_rate(r, unit):
    if unit == "FLOP":
        return f"{r / 1e9:.1f} GFLOP/s"
    if r >= 1e6:
        return f"{r / 1e6:.1f} M{unit}/s"
    if r >= 1e3:
        return f"{r / 1e3:.1f} k{unit}/s"
    return f"{r:.1f} {unit}/s"


def main():
    blas, blas_path = blas_info()
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if not blas.startswith("OpenBLAS") and not args.any_blas:
        sys.exit(f"torch_suite: torch's BLAS ({blas_path}) is the reference BLAS, not OpenBLAS: its GEMM is tens of "
                 "times slower and the figures would not represent PyTorch. Install OpenBLAS "
                 "(apt-get install -y libopenblas0-pthread) or pass --any-blas.")
    if coretype and not args.q:
        print(f"torch_suite: warning: OPENBLAS_CORETYPE={coretype} forces OpenBLAS's kernels "
              "(Haswell: AVX2 only, about half the GEMM speed); run with env -u OPENBLAS_CORETYPE, "
              "unless OpenBLAS does not know this CPU", file=sys.stderr)
    elif blas.endswith("core Prescott") and not args.q:
        # OpenBLAS falls back to its SSE3 kernels on a CPU it does not know
        # (Debian's 0.3.21 on an Intel Xeon of family 6, model 207: 32
        # against 153 GFLOP/s with SkylakeX on sgemm 1024×256×256).
        print("torch_suite: warning: OpenBLAS does not know this CPU and runs its Prescott (SSE3) kernels, "
              "several times slower than a user would set up; set OPENBLAS_CORETYPE to the newest core the CPU "
              "supports (SkylakeX for AVX-512, Haswell for AVX2)", file=sys.stderr)
    header = {
        "cpu": cpu_model(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": str(torch.get_num_threads()),
        "blas": blas,
        "blas_path": blas_path,
        "openblas_coretype": coretype or "(unset)",
        "aten_cpu_capability": cpu_capability(),
        "malloc": MALLOC,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "stat": f"{args.stat} of {REPS} repetitions of ~{TARGET:g} s",
        "set": "quick" if args.quick else "full",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    with torch.inference_mode():
        kernel_cases()
        random_cases()
        dense_cases()
        net_cases()
        langevin_cases()
    training_cases()  # needs autograd: outside inference mode
    cases = [c for c in CASES if args.run in f"{c[0]} {c[1]} torch"]
    if not cases:
        sys.exit(f"torch_suite: --run {args.run!r} matches no benchmark")
    results = []
    for i, (group, name, work, unit, run) in enumerate(cases):
        if not args.q:
            print(f"\rtorch_suite: {i + 1}/{len(cases)} {name[:60]:60s}", end="", file=sys.stderr, flush=True)
        # Training runs with autograd on; the rest in inference mode.
        if group == "training":
            n, times = measure(run)
        else:
            with torch.inference_mode():
                n, times = measure(run)
        sec = min(times) if args.stat == "best" else statistics.median(times)
        results.append({"Group": group, "Name": name, "Impl": "torch", "Work": work, "Unit": unit,
                        "N": n, "Reps": len(times), "NsPerOp": sec * 1e9, "PerSec": work / sec,
                        "BestNsPerOp": min(times) * 1e9, "MedianNsPerOp": statistics.median(times) * 1e9})
    if not args.q:
        print("\r" + " " * 80 + "\r", end="", file=sys.stderr, flush=True)
    if args.json:
        json.dump({"Header": header, "Results": results}, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    print(f"torch_suite — {header['cpu']}, torch {header['torch']} (CPU capability {header['aten_cpu_capability']}), "
          f"{header['threads']} thread(s), {header['blas']}, OPENBLAS_CORETYPE {header['openblas_coretype']}, "
          f"malloc {header['malloc']}, OMP_WAIT_POLICY {header['omp_wait_policy']}, "
          f"{header['stat']}, {header['date']}")
    group = ""
    for r in results:
        if r["Group"] != group:
            group = r["Group"]
            print(f"\n### {group}\n\n| benchmark | impl | time/op | throughput |\n|---|---|---:|---:|")
        print(f"| {r['Name']} | {r['Impl']} | {fmt_duration(r['NsPerOp'])} | {fmt_rate(r['PerSec'], r['Unit'])} |")


if __name__ == "__main__":
    main()
