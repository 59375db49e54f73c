"""DeepSets built from solved S(n) bases: equivariance, invariance, size-agnosticism, and
equality with the dense solved-basis layer W = sum_k w_k B_k."""
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve.nn.sets import (
    DeepSets,
    SetLinear,
    SetPool,
    _fallback_basis,
    derive_pooling_terms,
    solved_set_basis,
)


def _perm(rng, n):
    return rng.permutation(n)


def test_solved_basis_gives_deepsets_terms():
    for n in (2, 3, 4, 6):
        dense, labels, source = solved_set_basis(n, "V", "V")
        assert dense.shape == (n * n, 2)
        np.testing.assert_allclose(dense.T @ dense, np.eye(2), atol=1e-10)  # orthonormal columns
        if source == "eqsolve":
            assert len(labels) == 2  # the two equality patterns: out=in (tied), out!=in
        terms, C = derive_pooling_terms(dense, n, "V", "V")
        assert terms == ("identity", "sum_broadcast")
        assert C.shape == (2, 2)
    dense, _, _ = solved_set_basis(5, "S", "V")
    assert dense.shape == (5, 1)
    assert derive_pooling_terms(dense, 5, "S", "V")[0] == ("sum",)
    assert SetPool(n_ref=4).terms == ("sum",)


def test_core_solver_is_used_when_present():
    """The layers must come from eqsolve's own solver whenever the core imports."""
    try:
        from eqsolve.groups import S  # noqa: F401
        from eqsolve.reps import V  # noqa: F401
    except ImportError:
        pytest.skip("eqsolve core not importable")
    for kinds in [("V", "V"), ("S", "V"), ("V", "S")]:
        assert solved_set_basis(4, *kinds)[2] == "eqsolve"
    layer = SetLinear(1, 1, rngs=nnx.Rngs(0))
    assert layer.basis_source == "eqsolve" and len(layer.basis_labels) == 2


def test_fallback_solver_spans_the_same_space():
    for n, kinds in [(4, ("V", "V")), (5, ("S", "V")), (3, ("V", "S"))]:
        a, _, _ = solved_set_basis(n, *kinds)
        b = _fallback_basis(n, *kinds)
        np.testing.assert_allclose(a @ np.linalg.pinv(a), b @ np.linalg.pinv(b), atol=1e-8)


def test_non_pooling_basis_is_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        derive_pooling_terms(rng.normal(size=(16, 2)), 4, "V", "V")


@pytest.mark.parametrize("n", [3, 4, 9])
def test_setlinear_is_equivariant_for_any_n(n):
    rng = np.random.default_rng(n)
    layer = SetLinear(3, 5, n_ref=4, rngs=nnx.Rngs(1))
    layer.bias[...] = jnp.asarray(rng.normal(size=5), jnp.float32)
    x = jnp.asarray(rng.normal(size=(2, n, 3)), jnp.float32)
    for _ in range(3):
        p = _perm(rng, n)
        np.testing.assert_allclose(layer(x[:, p]), layer(x)[:, p], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n", [3, 6])
def test_setlinear_equals_dense_solved_basis_layer(n):
    """layer(x) == (sum_k w_k B_k) x with B_k the solved basis at n (channel-major blocks)."""
    rng = np.random.default_rng(10 + n)
    c_in, c_out = 2, 3
    layer = SetLinear(c_in, c_out, n_ref=4, use_bias=False, rngs=nnx.Rngs(0))
    dense, _, _ = solved_set_basis(n, "V", "V")
    k = dense.shape[1]
    w = rng.normal(size=(c_out, c_in, k))
    layer.from_basis_coefficients(w, n)
    Bk = dense.T.reshape(k, n, n)  # each column -> (n_out, n_in), row-major
    W = np.einsum("ock,kij->oicj", w, Bk).reshape(c_out * n, c_in * n)
    np.testing.assert_allclose(layer.dense(n), W, atol=1e-5)
    x = rng.normal(size=(4, n, c_in))
    flat = x.transpose(0, 2, 1).reshape(4, c_in * n)  # channel-major c*V layout
    y_dense = (flat @ W.T).reshape(4, c_out, n).transpose(0, 2, 1)
    np.testing.assert_allclose(np.asarray(layer(jnp.asarray(x, jnp.float32))), y_dense, rtol=1e-4, atol=1e-4)


def test_setlinear_without_pool_is_elementwise():
    layer = SetLinear(2, 2, pool=False, rngs=nnx.Rngs(0))
    assert layer.terms == ("identity",)
    x = jnp.ones((1, 5, 2))
    y1 = layer(x)
    y2 = layer(x.at[:, 1:].set(7.0))
    np.testing.assert_allclose(y1[:, 0], y2[:, 0], rtol=1e-6)


@pytest.mark.parametrize("equivariant_phi", [False, True])
def test_deepsets_invariant_and_size_agnostic(equivariant_phi):
    rng = np.random.default_rng(3)
    model = DeepSets(4, 16, 2, equivariant_phi=equivariant_phi, rngs=nnx.Rngs(0))
    for n in (2, 5, 11):
        x = jnp.asarray(rng.normal(size=(3, n, 4)), jnp.float32)
        y = model(x)
        assert y.shape == (3, 2)
        for _ in range(3):
            np.testing.assert_allclose(model(x[:, _perm(rng, n)]), y, rtol=1e-5, atol=1e-5)


def test_deepsets_mask_equals_unpadded():
    model = DeepSets(None, 8, 1, num_embeddings=10, equivariant_phi=True, rngs=nnx.Rngs(0))
    xs = jnp.array([[3, 1, 4, 1, 5]])
    padded = jnp.array([[3, 1, 4, 1, 5, 9, 2]])
    mask = jnp.arange(7)[None] < 5
    np.testing.assert_allclose(model(padded, mask), model(xs), rtol=1e-5, atol=1e-6)


def test_setlinear_matches_eqsolve_linear_runtime():
    """Cross-check against eqsolve.nn.layers.Linear (the pooling runtime) on c*V(S(n))."""
    layers = pytest.importorskip("eqsolve.nn.layers")
    from eqsolve.groups import S
    from eqsolve.reps import V

    n, c_in, c_out = 5, 2, 3
    lin = layers.Linear(c_in * V(S(n)), c_out * V(S(n)), rngs=nnx.Rngs(0), use_bias=False)
    D = np.asarray(lin.dense_matrix()).reshape(c_out, n, c_in, n)
    mine = SetLinear(c_in, c_out, use_bias=False, rngs=nnx.Rngs(1))
    # each (o, c) block of an S(n)-equivariant map is a I + b 11^T: read a, b off the block
    b = D[:, 0, :, 1]
    a = D[:, 0, :, 0] - b
    mine.weights["identity"][...] = jnp.asarray(a, jnp.float32)
    mine.weights["sum_broadcast"][...] = jnp.asarray(b, jnp.float32)
    np.testing.assert_allclose(mine.dense(n), D.reshape(c_out * n, c_in * n), atol=1e-5)
    x = np.random.default_rng(0).normal(size=(4, c_in * n)).astype(np.float32)  # channel-major
    y_lin = np.asarray(lin(jnp.asarray(x))).reshape(4, c_out, n).transpose(0, 2, 1)
    y_mine = np.asarray(mine(jnp.asarray(x.reshape(4, c_in, n).transpose(0, 2, 1))))
    np.testing.assert_allclose(y_mine, y_lin, rtol=1e-4, atol=1e-4)
