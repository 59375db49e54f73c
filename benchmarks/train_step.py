"""Training-step paths for small models, timed in one process (fastest of interleaved repeats),
printed as ratios:

  naive      ``nnx.jit`` over (model, nnx.Optimizer): the graph is walked on every call;
  TrainStep  ``eqsolve.nn.TrainStep``: split once, one ``jax.jit`` pure step over the state;
  hand       a hand-written ``jax.jit`` step: for the layer, the pure ``linear_apply`` on raw
             weight lists and optax by hand (no NNX at all); for the EMLP, split once and
             merge inside the user's own ``jax.jit`` function.

    python benchmarks/train_step.py            # the SO(3) 8*(T2+T1+5T0) layer of issue 16.10 and a small EMLP
    python benchmarks/train_step.py --quick

Targets: TrainStep >= 3x faster than naive on these small models, within 1.3x of hand.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from eqsolve.allocator import keep_freed_memory
from eqsolve.groups import SO, O
from eqsolve.nn import EMLP, Linear, TrainStep, linear_apply
from eqsolve.reps import Scalar, T, V


def mse(m, x, y):
    return jnp.mean((m(x) - y) ** 2)


def timed(steps, n, repeats):
    """Seconds per call of each ``step()`` (returning an array): after a warm-up, the repeats
    of all paths are interleaved (so a change of machine load hits them alike) and the fastest
    repeat of each is kept."""
    for step in steps:
        jax.block_until_ready(step())
    best = [float("inf")] * len(steps)
    for _ in range(repeats):
        for k, step in enumerate(steps):
            t0 = time.perf_counter()
            for _ in range(n):
                out = step()
            jax.block_until_ready(out)
            best[k] = min(best[k], (time.perf_counter() - t0) / n)
    return best


def naive_step(model, x, y):
    opt = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)

    @nnx.jit
    def step(m, opt, x, y):
        loss, g = nnx.value_and_grad(mse)(m, x, y)
        opt.update(m, g)
        return loss

    return lambda: step(model, opt, x, y)


def trainstep_step(model, x, y):
    st = TrainStep(model, optax.adam(1e-3), mse)
    return lambda: st(x, y)


def hand_step_layer(layer, x, y):
    prog = layer.program
    state = {"w": [w[...] for w in layer.weights], "b": [b[...] for b in layer.biases]}
    tx = optax.adam(1e-3)
    box = [state, tx.init(state)]

    @jax.jit
    def step(params, opt_state, x, y):
        loss, g = jax.value_and_grad(lambda p: jnp.mean((linear_apply(prog, p["w"], p["b"], x) - y) ** 2))(params)
        upd, opt_state = tx.update(g, opt_state, params)
        return optax.apply_updates(params, upd), opt_state, loss

    def run():
        box[0], box[1], loss = step(box[0], box[1], x, y)
        return loss

    return run


def hand_step_module(model, x, y):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    tx = optax.adam(1e-3)
    box = [params, tx.init(params)]

    @jax.jit
    def step(params, opt_state, x, y):
        loss, g = jax.value_and_grad(lambda p: mse(nnx.merge(graphdef, p, rest), x, y))(params)
        upd, opt_state = tx.update(g, opt_state, params)
        return optax.apply_updates(params, upd), opt_state, loss

    def run():
        box[0], box[1], loss = step(box[0], box[1], x, y)
        return loss

    return run


def case(name, make, hand, batch, n, repeats):
    m = make()
    rin = m.rep_in
    rout = m.rep_out
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(batch, rin.size())), jnp.float32)
    y = jnp.asarray(rng.normal(size=(batch, rout.size())), jnp.float32)
    t_naive, t_fast, t_hand = timed(
        [naive_step(make(), x, y), trainstep_step(make(), x, y), hand(make(), x, y)], n, repeats
    )
    print(
        f"{name}: naive nnx.jit {t_naive * 1e3:.3f} ms, TrainStep {t_fast * 1e3:.3f} ms, hand jax.jit "
        f"{t_hand * 1e3:.3f} ms per step | naive / TrainStep = {t_naive / t_fast:.2f}x, "
        f"TrainStep / hand = {t_fast / t_hand:.2f}x",
        flush=True,
    )
    return t_naive, t_fast, t_hand


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--batch", type=int, default=32)
    args = p.parse_args(argv)
    keep_freed_memory()
    n, repeats = (20, 3) if args.quick else (200, 7)
    G = SO(3)
    rep = 8 * (T(2) + V + 5 * Scalar)
    case(
        "[1] Linear SO(3) 8*(T2+T1+5T0) -> same",
        lambda: Linear(rep(G), rep(G), rngs=nnx.Rngs(0)),
        hand_step_layer,
        args.batch,
        n,
        repeats,
    )
    case(
        "[2] EMLP O(5) 2T1 -> T0, ch 32, 2 layers",
        lambda: EMLP(2 * V, Scalar, O(5), ch=32, num_layers=2, rngs=nnx.Rngs(0)),
        hand_step_module,
        args.batch,
        n,
        repeats,
    )


if __name__ == "__main__":
    main()
