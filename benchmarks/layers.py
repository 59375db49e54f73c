"""Layer speed ratios, forward + backward (grads w.r.t. weights and inputs), jitted, with
warm-up and the median of repeats, all measured in one process.

    python benchmarks/layers.py            # all three comparisons
    python benchmarks/layers.py --quick    # smaller repeats

The script first calls ``eqsolve.allocator.keep_freed_memory()`` (glibc keeps freed memory in
one arena instead of unmapping it), so that each call's fresh 30 MB buffers are not page-faulted
in again: the times then measure compute rather than the kernel zeroing pages (without it, the
ReLU case [1b] read 1.3-1.6x, almost all of it page faults of the pooling layer's extra
buffers). Both sides of every ratio run under the same setting (``--no-malloc-tuning`` to turn
it off).

1. exchangeable matrix layer S(N)xS(M), C channels (pooling runtime) vs a pointwise
   channel-mixing layer on the same (B, C, N, M) tensor (the floor any layer pays);
   target <= 1.15x at N=M=128, C=64, B=8. Both are compared as layers, each with its bias
   (``eqsolve.nn.Linear`` and ``flax.nnx.Linear`` both default to one): the pointwise layer pays
   a pass to add its bias and one to reduce the bias gradient, the exchangeable layer adds its
   (invariant) bias in the pass that adds its pooled terms and reads the bias gradient off the
   row sums it needs anyway. [1'] repeats the comparison without biases (bare linear maps), where
   the pooled terms' two reductions and broadcast-add per direction are all excess;
2. the same layer vs the dense-basis layer at N=M=32, C=8, B=8: target >= 1000x faster;
3. S(n) T2 -> T2 (15 patterns) at n=64 vs the dense basis: target >= 100x faster.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

from eqsolve.allocator import keep_freed_memory
from eqsolve.groups import S
from eqsolve.reps import V
from eqsolve.runtime import LinearProgram
from eqsolve.runtime.patterns import channel_mix


def timeit(fn, *args, repeats=20, warmup=3):
    """Median wall time (s) of fn(*args) (results blocked on)."""
    for _ in range(warmup):
        jax.block_until_ready(fn(*args))
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(*args))
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def time_pair(fa, args_a, fb, args_b, repeats=20, warmup=3):
    """Median wall times (s) of two functions timed alternately (A, B, A, B, ...), so that
    load from other processes hits both alike, and the median of the paired ratios A/B."""
    for _ in range(warmup):
        jax.block_until_ready(fa(*args_a))
        jax.block_until_ready(fb(*args_b))
    ta, tb = [], []
    for _ in range(repeats):
        for f, args, ts in ((fa, args_a, ta), (fb, args_b, tb)):
            t = time.perf_counter()
            jax.block_until_ready(f(*args))
            ts.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb), statistics.median(a / b for a, b in zip(ta, tb))


def fwd_bwd(apply):
    """jit of forward + backward: y = apply(w, x) and its vjp with a fixed cotangent g,
    returning (y, dw, dx) -- what one layer costs inside a network's training step."""

    def fb(w, x, g):
        y, vjp = jax.vjp(apply, w, x)
        return (y,) + vjp(g)

    return jax.jit(fb)


def program_fn(prog):
    def apply(ws, x):
        return prog.apply_fields(ws, [x])[0]

    return apply


def pointwise_fn(w, x):
    """The floor: y[b, d, ...] = sum_c w[d, c] x[b, c, ...], as the same batched matmul the
    pooling program uses for its pointwise term (the fastest form measured here: plain einsum
    and a 1x1 convolution are 2.5x and 4x slower)."""
    return channel_mix(x, w, 1)


def pointwise_bias_fn(wb, x):
    """The floor as a layer: pointwise mixing plus a per-channel bias, wb = (w (C, C), b (C,))."""
    w, b = wb
    return channel_mix(x, w, 1) + b.reshape((-1,) + (1,) * (x.ndim - 2))


def program_bias_fn(prog):
    def apply(wb, x):
        ws, bs = wb
        return prog.apply_fields(ws, [x], bs)[0]

    return apply


def exchangeable(N, M, C):
    rep = C * (V(S(N, label="rows")) * V(S(M, label="cols")))
    return rep


def bench_floor(N, M, C, B, repeats, act=None, bias=True):
    """``act``: an activation applied after either layer (as inside a network), which XLA
    fuses with the layer's final broadcast-add. ``bias``: both layers with their bias (random,
    so that nothing is simplified away) or neither."""
    rep = exchangeable(N, M, C)
    prog = LinearProgram(rep, rep, bias=bias)
    ws, bs = prog.init(jax.random.PRNGKey(0), bias_init=0.1)
    x = jax.random.normal(jax.random.PRNGKey(1), (B, C, N, M))
    w0 = jax.random.normal(jax.random.PRNGKey(2), (C, C)) / np.sqrt(C)
    g = jax.random.normal(jax.random.PRNGKey(3), x.shape)
    if bias:
        ws, w0 = (ws, bs), (w0, jnp.full((C,), 0.1))
        f_pool, f_point = program_bias_fn(prog), pointwise_bias_fn
    else:
        f_pool, f_point = program_fn(prog), pointwise_fn
    if act is not None:
        f_pool = (lambda f: lambda w, x: act(f(w, x)))(f_pool)
        f_point = (lambda f: lambda w, x: act(f(w, x)))(f_point)
    return time_pair(fwd_bwd(f_pool), (ws, x, g), fwd_bwd(f_point), (w0, x, g), repeats=repeats)


def bench_dense(rep_in, rep_out, shape_in, C, B, repeats, dense_repeats):
    pool = LinearProgram(rep_in, rep_out, bias=False)
    dense = LinearProgram(rep_in, rep_out, bias=False, mode="dense")
    ws, _ = pool.init(jax.random.PRNGKey(0))
    wd = dense.weights_from_solver(pool.solver_coefficients(ws))
    x = jax.random.normal(jax.random.PRNGKey(1), (B, C) + shape_in)
    f_pool, f_dense = fwd_bwd(program_fn(pool)), fwd_bwd(program_fn(dense))
    # same map, so the outputs must agree
    y1 = program_fn(pool)(ws, x)
    y2 = program_fn(dense)(wd, x)
    err = float(jnp.max(jnp.abs(y1 - y2)) / jnp.max(jnp.abs(y2)))
    g = jax.random.normal(jax.random.PRNGKey(3), y1.shape)
    t_pool = timeit(f_pool, ws, x, g, repeats=repeats)
    t_dense = timeit(f_dense, wd, x, g, repeats=dense_repeats, warmup=1)
    return t_pool, t_dense, err


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", choices=["floor", "dense", "t2"], default=None)
    p.add_argument("--no-malloc-tuning", action="store_true")
    args = p.parse_args(argv)
    tuned = False if args.no_malloc_tuning else keep_freed_memory()
    reps = 5 if args.quick else 20
    print(
        f"jax {jax.__version__} on {jax.devices()[0].platform} ({os.cpu_count()} cpus); forward+backward, jitted, "
        f"median of repeats; malloc tuning {'on' if tuned else 'off'}"
    )
    if args.only in (None, "floor"):
        N = M = 128
        C, B = 64, 8
        for tag, kw, what in (
            ("[1]", {}, "layers with their biases"),
            ("[1']", {"bias": False}, "bare maps, no biases"),
            ("[1b]", {"act": jax.nn.relu}, "layers with biases, each followed by a ReLU (as in a network)"),
        ):
            t_pool, t_point, ratio = bench_floor(N, M, C, B, reps, **kw)
            target = " (target <= 1.15x)" if tag == "[1]" else ""
            print(
                f"{tag} exchangeable S({N})xS({M}) C={C} B={B}, {what}: pooling {t_pool * 1e3:.2f} ms, "
                f"pointwise {t_point * 1e3:.2f} ms -> ratio {t_pool / t_point:.3f}x of medians, {ratio:.3f}x "
                f"median of paired ratios{target}",
                flush=True,
            )
    if args.only in (None, "dense"):
        N = M = 32
        C, B = 8, 8
        rep = exchangeable(N, M, C)
        t_pool, t_dense, err = bench_dense(rep, rep, (N, M), C, B, reps * 5, 3)
        print(
            f"[2] exchangeable S({N})xS({M}) C={C} B={B}: pooling {t_pool * 1e3:.3f} ms, dense basis "
            f"{t_dense * 1e3:.1f} ms -> {t_dense / t_pool:.0f}x faster (target >= 1000x); max rel diff {err:.1e}",
            flush=True,
        )
    if args.only in (None, "t2"):
        n, C, B = 64, 1, 8
        rep = C * V(S(n)) ** 2
        t_pool, t_dense, err = bench_dense(rep, rep, (n, n), C, B, reps * 5, 3)
        print(
            f"[3] S({n}) T2->T2 (15 patterns) C={C} B={B}: pooling {t_pool * 1e3:.3f} ms, dense basis "
            f"{t_dense * 1e3:.1f} ms -> {t_dense / t_pool:.0f}x faster (target >= 100x); max rel diff {err:.1e}",
            flush=True,
        )


if __name__ == "__main__":
    main()
