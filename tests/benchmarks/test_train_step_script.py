"""benchmarks/train_step.py compares like with like: its three step paths (naive nnx.jit,
nn.TrainStep, hand-written jax.jit) take the same optimizer steps (same losses)."""

import jax.numpy as jnp
import numpy as np
from flax import nnx

from bench_scripts import load_benchmark
from eqsolve.groups import SO
from eqsolve.nn import Linear
from eqsolve.reps import Scalar, T, V


def test_three_paths_take_the_same_steps():
    b = load_benchmark("train_step")
    G = SO(3)
    rep = 2 * (T(2) + V + Scalar)

    def make():
        return Linear(rep(G), rep(G), rngs=nnx.Rngs(0))

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(8, rep(G).size())), jnp.float32)
    y = jnp.asarray(rng.normal(size=(8, rep(G).size())), jnp.float32)
    runs = [
        b.naive_step(make(), x, y),
        b.trainstep_step(make(), x, y),
        b.hand_step_layer(make(), x, y),
        b.hand_step_module(make(), x, y),
    ]
    losses = np.array([[float(r()) for _ in range(3)] for r in runs])
    assert losses[0, -1] < losses[0, 0]
    np.testing.assert_allclose(losses, np.broadcast_to(losses[0], losses.shape), rtol=1e-5)
