"""Data-parallel check of the dense pooling runtime: ``eqsolve.nn.Linear`` (a ``LinearProgram``)
on a batch split over devices, against one device. Forward, gradients, 20 Adam steps."""

from __future__ import annotations

import numpy as np

BATCH = 16


def layers(seed: int = 0):
    from flax import nnx

    from eqsolve import nn
    from eqsolve.groups import S
    from eqsolve.reps import V

    G = S(4)
    rep_in, rep_hid, rep_out = (2 * V**2 + V)(G), (3 * V**2 + 2 * V)(G), (V + V**0)(G)
    rngs = nnx.Rngs(seed)
    return nnx.List([nn.Linear(rep_in, rep_hid, rngs=rngs), nn.Linear(rep_hid, rep_out, rngs=rngs)])


def data(seed: int = 0):
    rng = np.random.default_rng(seed)
    net = layers(seed)
    x = rng.normal(size=(BATCH, net[0].rep_in.size())).astype(np.float32)
    y = rng.normal(size=(BATCH, net[1].rep_out.size())).astype(np.float32)
    return x, y


def run(mesh=None, steps: int = 20, seed: int = 0):
    import jax
    import jax.numpy as jnp
    import optax
    from flax import nnx

    from eqsolve.runtime.sharded import data_parallel, put_replicated, put_sharded, to_host

    graphdef, params = nnx.split(layers(seed))

    def apply(p, x):
        net = nnx.merge(graphdef, p)
        return net[1](jax.nn.silu(net[0](x)))

    fwd = apply if mesh is None else data_parallel(apply, mesh)
    x, y = data(seed)
    if mesh is not None:
        params = put_replicated(params, mesh)
        x, y = put_sharded((x, y), mesh)
    tx = optax.adam(1e-2)

    def loss_fn(p, x, y):
        out = fwd(p, x)
        return jnp.mean((out - y) ** 2), out

    @jax.jit
    def step(p, o, x, y):
        (loss, out), g = jax.value_and_grad(loss_fn, has_aux=True)(p, x, y)
        u, o = tx.update(g, o, p)
        return optax.apply_updates(p, u), o, loss, out, g

    o = tx.init(params)
    losses, first = [], None
    for _ in range(steps):
        params, o, loss, out, g = step(params, o, x, y)
        first = (out, g) if first is None else first
        losses.append(loss)
    return to_host({"logits": first[0], "grads": first[1], "params": params, "losses": losses})
