"""SIRE and SUB regularizers: zero on commutative transitions, positive on a GRU, and SIRE
training lowers the measured swap error on a tiny problem."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from eqsolve.nn.recurrent import RecurrentSetModel
from eqsolve.nn.sire import (
    permutation_error,
    permute_prefix,
    sample_sire_triples,
    sire_penalty,
    sire_regularizer,
    sub_regularizer,
    swap_error,
)


class AddCell:
    """s' = s + E[x] with integer-valued embeddings: commutative, exactly in float32."""

    def __init__(self, vocab=7, dim=3, seed=0):
        self.E = jnp.asarray(np.random.default_rng(seed).integers(-5, 6, size=(vocab, dim)), jnp.float32)

    def step(self, s, x):
        return s + self.E[x]

    def states(self, xs, mask=None):
        inc = self.E[xs] * (1.0 if mask is None else mask[..., None])
        s = jnp.concatenate([jnp.zeros_like(inc[:, :1]), jnp.cumsum(inc, 1)], 1)
        return jnp.swapaxes(s, 0, 1)  # (T+1, B, dim)

    def readout(self, s):
        return s

    def __call__(self, xs, mask=None):
        return self.states(xs, mask)[-1]


class MaxCell(AddCell):
    """s' = max(s, E[x]) (pytree state (s, s)): commutative, exactly."""

    def step(self, s, x):
        return jax.tree.map(lambda a: jnp.maximum(a, self.E[x]), s)


def _data(seed=0, B=6, T=5, vocab=7):
    rng = np.random.default_rng(seed)
    xs = jnp.asarray(rng.integers(0, vocab, size=(B, T)), jnp.int32)
    lengths = rng.integers(1, T + 1, size=B)
    mask = jnp.asarray(np.arange(T)[None] < lengths[:, None])
    return xs, mask


def test_sire_zero_for_commutative_cells():
    xs, mask = _data()
    cell, mc = AddCell(), MaxCell()
    s = (jnp.asarray(np.random.default_rng(1).normal(size=(32, 3)), jnp.float32),) * 2
    xa = jnp.arange(32) % 7
    xb = (jnp.arange(32) * 3 + 1) % 7

    @jax.jit
    def penalties(key):
        return (
            sire_regularizer(cell, xs, mask, key, num=64),
            sire_penalty(mc.step, s, xa, xb),
            # SUB: the state after a permuted prefix equals the original prefix state
            sub_regularizer(cell, xs, mask, key),
        )

    assert [float(v) for v in penalties(jax.random.key(0))] == [0.0, 0.0, 0.0]


def test_sire_and_sub_positive_for_gru():
    xs, mask = _data()
    for cell in ("gru", "lstm"):
        model = RecurrentSetModel(None, 8, 1, num_embeddings=7, cell=cell, rngs=nnx.Rngs(0))
        s = model.initial_state((4,))
        x = jnp.array([1, 2, 3, 4])
        r_sire, r_sub, r_same = nnx.jit(
            lambda m: (
                sire_regularizer(m, xs, mask, jax.random.key(0), num=64),
                sub_regularizer(m, xs, mask, jax.random.key(1)),
                sire_penalty(m.step, s, x, x),
            )  # a swap of equal inputs costs nothing
        )(model)
        assert float(r_sire) > 1e-6 and float(r_sub) > 1e-6
        assert float(r_same) == 0.0


def test_masked_states_match_unpadded():
    model = RecurrentSetModel(None, 8, 1, num_embeddings=7, cell="lstm", rngs=nnx.Rngs(0))
    xs = jnp.array([[1, 2, 3, 0, 0]])
    mask = jnp.arange(5)[None] < 3
    np.testing.assert_allclose(model(xs, mask), model(xs[:, :3]), rtol=1e-6, atol=1e-6)
    states = model.states(xs[:, :3])
    s2 = model.step(model.step(jax.tree.map(lambda a: a[1], states), xs[:, 1]), xs[:, 2])
    np.testing.assert_allclose(s2[1], states[1][3], rtol=1e-5, atol=1e-6)


def test_permute_prefix_and_triples_use_only_real_data():
    xs, mask = _data(seed=2, B=8, T=6)
    lengths = mask.sum(1)
    t = jnp.maximum(lengths - 1, 1)
    xp = jax.jit(permute_prefix)(jax.random.key(3), xs, lengths, t)
    for b in range(8):
        tb = int(t[b])
        assert sorted(np.asarray(xp[b, :tb])) == sorted(np.asarray(xs[b, :tb]))
        np.testing.assert_array_equal(xp[b, tb:], xs[b, tb:])
    # padded elements are marked -1 and padded states 1e9: neither may be sampled
    xs_m = jnp.where(mask, xs, -1)
    st = jnp.where(jnp.concatenate([jnp.ones((1, 8), bool), mask.T], 0)[..., None], 0.0, 1e9) * jnp.ones((7, 8, 2))
    s, xa, xb = jax.jit(sample_sire_triples, static_argnums=4)(jax.random.key(4), st, xs_m, mask, 500)
    assert float(jnp.max(s)) == 0.0
    assert int(jnp.min(xa)) >= 0 and int(jnp.min(xb)) >= 0


_GRAPHDEF = {}


@functools.partial(jax.jit, static_argnums=0)
def _fit(graphdef, state, xs, mask, y, lam, keys):
    """All training steps in one compiled scan; returns (swap error, permutation error)."""

    def body(state, key):
        model, opt = nnx.merge(graphdef, state)

        def loss_fn(model):
            seq = model.states(xs, mask)
            pred = model.readout(jax.tree.map(lambda a: a[-1], seq))[:, 0]
            r = sire_regularizer(model, xs, mask, key, num=64, states_seq=seq)
            return jnp.mean(jnp.abs(pred - y)) + lam * r

        grads = nnx.grad(loss_fn)(model)
        opt.update(model, grads)
        return nnx.state((model, opt)), None

    state, _ = jax.lax.scan(body, state, keys)
    model, _ = nnx.merge(graphdef, state)
    k = jax.random.key(99)
    return swap_error(model, xs, mask, k), permutation_error(model, xs, mask, k)


def _train(lam, seed=0, steps=60):
    """GRU on a tiny sum task (values 0..4, lengths 2..6), with lam * R_SIRE."""
    rng = np.random.default_rng(seed)
    N, T, vocab = 256, 6, 5
    xs = jnp.asarray(rng.integers(0, vocab, size=(N, T)), jnp.int32)
    lengths = rng.integers(2, T + 1, size=N)
    mask = jnp.asarray(np.arange(T)[None] < lengths[:, None])
    y = jnp.sum(jnp.where(mask, xs, 0), 1) / vocab
    model = RecurrentSetModel(None, 8, 1, num_embeddings=vocab, cell="gru", rngs=nnx.Rngs(seed))
    opt = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    graphdef, state = nnx.split((model, opt))
    # graphdefs of equal-structure modules compare unequal; reuse the first one so that
    # every call hits the same compiled _fit
    graphdef = _GRAPHDEF.setdefault("gru", graphdef)
    keys = jax.random.split(jax.random.key(seed), steps)
    swap, perm = _fit(graphdef, state, xs, mask, y, jnp.float32(lam), keys)
    return float(swap), float(perm)


def test_sire_training_reduces_swap_error():
    swap_plain, perm_plain = _train(0.0)
    swap_sire, perm_sire = _train(1.0)
    assert swap_sire < 0.5 * swap_plain, (swap_sire, swap_plain)
    assert perm_sire < perm_plain, (perm_sire, perm_plain)
