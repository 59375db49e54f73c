"""Janossy pooling: the pattern-pooled sums equal brute-force sums over k-tuples grouped by
their equality pattern, the model is exactly invariant for any n, masks equal unpadded sets,
and the pi-SGD estimators are unbiased estimates of the exact pooling."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve.nn.janossy import JanossyPooling, PermutationJanossy, count_params, janossy_pattern_basis
from eqsolve.nn.recurrent import RecurrentSetModel


def _pattern_of(t):
    """Equality pattern of an index tuple as an axis partition sorted by first axis."""
    blocks = {}
    for a, v in enumerate(t):
        blocks.setdefault(v, []).append(a)
    return tuple(sorted((tuple(b) for b in blocks.values()), key=lambda b: b[0]))


def _phi_dense(model, x, t):
    """phi of one tuple computed as a dense layer of the concatenated tuple (independent of
    the broadcasting in tuple_tensor)."""
    W = jnp.concatenate([lin.kernel[...] for lin in model.first], 0)  # (k F, H)
    h = jnp.concatenate([x[:, i] for i in t], -1) @ W + model.first[0].bias[...]
    return model._phi_rest(h)


def test_bell_many_patterns():
    assert [janossy_pattern_basis(k).dim for k in (1, 2, 3, 4)] == [1, 2, 5, 15]  # Bell numbers
    with pytest.raises(ValueError):
        janossy_pattern_basis(3, n_ref=2)


@pytest.mark.parametrize("k", [2, 3])
def test_pattern_pools_equal_brute_force(k):
    n = 4
    rng = np.random.default_rng(k)
    x = jnp.asarray(rng.normal(size=(2, n, 3)), jnp.float32)
    model = JanossyPooling(3, 6, 1, k=k, reduction="sum", rngs=nnx.Rngs(0))
    pools = np.asarray(model.pattern_pools(x))
    want = {lab: 0.0 for lab in model.pattern_labels}
    count = {lab: 0 for lab in model.pattern_labels}
    for t in itertools.product(range(n), repeat=k):
        want[_pattern_of(t)] = want[_pattern_of(t)] + np.asarray(_phi_dense(model, x, t))
        count[_pattern_of(t)] += 1
    for p, lab in enumerate(model.pattern_labels):
        np.testing.assert_allclose(pools[:, p], want[lab], rtol=1e-4, atol=1e-4)
    mean_model = JanossyPooling(3, 6, 1, k=k, reduction="mean", patterns="distinct", rngs=nnx.Rngs(0))
    finest = tuple((a,) for a in range(k))
    np.testing.assert_allclose(
        np.asarray(mean_model.pattern_pools(x))[:, mean_model.pattern_labels.index(finest)],
        want[finest] / (math.perm(n, k)),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("k,patterns", [(1, "all"), (2, "all"), (2, "distinct"), (3, "all")])
def test_invariant_for_any_n(k, patterns):
    model = JanossyPooling(2, 8, 3, k=k, patterns=patterns, rngs=nnx.Rngs(1))
    rng = np.random.default_rng(0)
    for n in (3, 6):
        x = jnp.asarray(rng.normal(size=(2, n, 2)), jnp.float32)
        y = model(x)
        assert y.shape == (2, 3)
        for _ in range(3):
            np.testing.assert_allclose(model(x[:, rng.permutation(n)]), y, rtol=1e-5, atol=1e-5)
    # a permutation-sensitive change (a different set) does change the output
    assert float(jnp.abs(model(x.at[:, 0].add(1.0)) - y).max()) > 1e-4


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mask_equals_unpadded(reduction):
    model = JanossyPooling(None, 8, 2, k=2, num_embeddings=10, reduction=reduction, rngs=nnx.Rngs(0))
    xs = jnp.array([[3, 1, 4, 1]])
    padded = jnp.array([[3, 1, 4, 1, 5, 9]])
    mask = jnp.arange(6)[None] < 4
    np.testing.assert_allclose(model(padded, mask), model(xs), rtol=1e-5, atol=1e-5)


def test_sampled_pool_is_unbiased_and_ignores_padding():
    n, k = 5, 2
    model = JanossyPooling(2, 6, 1, k=k, patterns="distinct", rngs=nnx.Rngs(2))
    rng = np.random.default_rng(1)
    x = jnp.asarray(rng.normal(size=(3, n, 2)), jnp.float32)
    exact = np.asarray(model.pattern_pools(x)[:, model._const.finest])
    est = np.asarray(model.sampled_pool(x, None, jax.random.key(0), num_samples=4000))
    # standard error of the mean over 4000 draws from the 20 pair values
    vals = np.stack([np.asarray(_phi_dense(model, x, t)) for t in itertools.permutations(range(n), k)])
    se = vals.std(0) / np.sqrt(4000) + 1e-6
    assert np.all(np.abs(est - exact) < 5 * se), (np.abs(est - exact) / se).max()
    # padded elements (huge values) are never drawn
    xp = jnp.concatenate([x, jnp.full((3, 2, 2), 1e4, jnp.float32)], 1)
    mask = jnp.arange(n + 2)[None] < n
    est_p = np.asarray(model.sampled_pool(xp, jnp.broadcast_to(mask, (3, n + 2)), jax.random.key(1), 4000))
    assert np.all(np.abs(est_p - exact) < 5 * se)
    with pytest.raises(ValueError):
        JanossyPooling(2, 6, 1, k=2, patterns="all", rngs=nnx.Rngs(0)).sampled(x, None, jax.random.key(0))


def test_permutation_janossy_exact_invariant_and_estimator():
    g = RecurrentSetModel(2, 8, 1, cell="gru", readout_hidden=8, rngs=nnx.Rngs(0))
    model = PermutationJanossy(g)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(2, 4, 2)), jnp.float32)
    exact = model.exact(x)
    np.testing.assert_allclose(model.exact(x[:, rng.permutation(4)]), exact, rtol=1e-5, atol=1e-5)
    # the GRU itself is not invariant, so the pooling is doing the work
    assert float(jnp.abs(g(x) - g(x[:, ::-1])).max()) > 1e-4
    est = jax.jit(lambda x, key: model(x, None, key, num_permutations=300))(x, jax.random.key(0))
    outs = np.asarray(jax.vmap(lambda p: g(x[:, p]))(jnp.asarray(list(itertools.permutations(range(4))))))
    se = outs.std(0) / np.sqrt(300) + 1e-6
    assert np.all(np.abs(np.asarray(est) - np.asarray(exact)) < 5 * se)


def test_count_params():
    m = JanossyPooling(3, 4, 2, k=2, phi_layers=1, rho_layers=0, patterns="distinct", rngs=nnx.Rngs(0))
    # first layer: 2 kernels 3x4 + one bias 4; readout 4x2 + 2
    assert count_params(m) == 2 * 12 + 4 + 8 + 2
