"""Noise outsourcing: Y = f(eta, M(X)) is invariant pathwise (same eta, any ordering) and in
law (two-sample tests pass on permuted inputs), the tests reject a model that is not
invariant, M = sort is a maximal invariant, and the energy score matches a hand value."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve.nn.probabilistic import (
    NoiseOutsourcedSetModel,
    energy_score,
    sorted_invariant,
    two_sample_test,
)

ALPHA = 0.01  # a p-value below this rejects "same law"


def _x(seed=0, B=2, n=5, F=2):
    return jnp.asarray(np.random.default_rng(seed).normal(size=(B, n, F)) * 2.0, jnp.float32)


def test_sort_is_a_maximal_invariant():
    x = _x()
    rng = np.random.default_rng(1)
    m = sorted_invariant(x)
    for _ in range(3):
        np.testing.assert_array_equal(sorted_invariant(x[:, rng.permutation(5)]), m)
    # same multiset of coordinates per column but paired differently: not a reordering
    y = x.at[:, :, 1].set(x[:, ::-1, 1])
    assert float(jnp.abs(sorted_invariant(y) - m).max()) > 1e-3
    # padding: a masked set equals the same real elements padded elsewhere
    mask = jnp.array([[True, False, True, True, False]] * 2)
    mask2 = jnp.array([[False, True, True, True, False]] * 2)
    x2 = x.at[:, 1].set(x[:, 0]).at[:, 0].set(99.0)
    np.testing.assert_array_equal(sorted_invariant(x, mask), sorted_invariant(x2, mask2))


@pytest.mark.parametrize("invariant", ["sort", "deepsets"])
def test_pathwise_invariance(invariant):
    model = NoiseOutsourcedSetModel(2, 2, set_size=5, invariant=invariant, rngs=nnx.Rngs(0))
    x = _x(2)
    rng = np.random.default_rng(3)
    eta = jax.random.normal(jax.random.key(0), (7, 2, model.noise_dim))
    y = model(x, None, eta)
    assert y.shape == (7, 2, 2)
    for _ in range(3):
        np.testing.assert_allclose(model(x[:, rng.permutation(5)], None, eta), y, rtol=1e-5, atol=1e-5)
    # the noise matters: different eta, different samples
    assert float(jnp.abs(model(x, None, eta + 1.0) - y).max()) > 1e-4


def _samples(model, x, key, N=2000):
    return np.asarray(jax.jit(lambda x, k: model.sample(x, None, k, N))(x, key))[:, 0]  # (N, out)


@pytest.mark.parametrize("invariant", ["sort", "deepsets"])
def test_invariant_in_law_and_non_invariant_model_fails(invariant):
    x = jnp.asarray([[[3.0], [-2.0], [0.5], [1.5]]])
    xp = x[:, ::-1]
    good = NoiseOutsourcedSetModel(1, 1, set_size=4, noise_dim=2, invariant=invariant, rngs=nnx.Rngs(0))
    a, b = _samples(good, x, jax.random.key(1)), _samples(good, xp, jax.random.key(2))
    assert not np.allclose(a, b)  # independent noise: the samples differ, their laws do not
    assert two_sample_test(a, b, method="ks") > ALPHA
    assert two_sample_test(a[:300], b[:300], method="energy", num_permutations=200, seed=0) > ALPHA
    bad = NoiseOutsourcedSetModel(1, 1, set_size=4, noise_dim=2, invariant="none", rngs=nnx.Rngs(0))
    a, b = _samples(bad, x, jax.random.key(1)), _samples(bad, xp, jax.random.key(2))
    assert two_sample_test(a, b, method="ks") < ALPHA
    assert two_sample_test(a[:300], b[:300], method="energy", num_permutations=200, seed=0) < ALPHA


def test_two_sample_test_catches_an_order_dependent_sampler():
    """Y = x_first + eta: its law moves with the first element."""
    rng = np.random.default_rng(0)
    x = np.array([0.0, 0.3, -0.2])
    a = x[0] + rng.normal(size=1000)
    b = x[1] + rng.normal(size=1000)
    assert two_sample_test(a, b, method="ks") < ALPHA
    c = x[0] + rng.normal(size=1000)
    assert two_sample_test(a, c, method="ks") > ALPHA
    with pytest.raises(ValueError):
        two_sample_test(np.zeros((5, 2)), np.zeros((5, 2)), method="ks")


def test_energy_score_by_hand():
    samples = jnp.array([[[0.0]], [[2.0]]])  # S=2, B=1, D=1
    # E|Y - 1| = 1, E|Y - Y'| over s != t = 2: score 1 - 2/2 = 0
    np.testing.assert_allclose(float(energy_score(samples, jnp.array([[1.0]]))), 0.0, atol=1e-5)
    # at y = 2: (2 + 0)/2 - 1 = 0; at y = 5: (5 + 3)/2 - 1 = 3
    np.testing.assert_allclose(float(energy_score(samples, jnp.array([[5.0]]))), 3.0, atol=1e-5)
    with pytest.raises(ValueError):
        energy_score(samples[:1], jnp.array([[1.0]]))
