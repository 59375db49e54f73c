"""DeepSets built from solved S(n) bases: equivariance, invariance, size-agnosticism, and
equality with the dense solved-basis layer W = sum_k w_k B_k."""

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve.groups import S, SO
from eqsolve.nn.sets import DeepSets, SetLinear, SetPool, _solved
from eqsolve.reps import Scalar, V


def _perm(rng, n):
    return rng.permutation(n)


def _dense_basis(n):
    """The solved basis of V(S(n)) >> V(S(n)) as dense columns (n*n, 2)."""
    return (V(S(n)) >> V(S(n))).equivariant_basis().dense()


def test_solved_basis_gives_deepsets_terms():
    for n in (2, 3, 4, 6):
        dense = _dense_basis(n)
        assert dense.shape == (n * n, 2)
        np.testing.assert_allclose(dense.T @ dense, np.eye(2), atol=1e-10)  # orthonormal columns
        B, block = _solved(n, "V", "V")
        assert len(B.labels) == 2  # the two equality patterns: out=in (tied), out!=in
        assert [lab.tied(0, 1) for lab in block.labels] == [True, False]
    assert SetLinear(1, 1, n_ref=4, rngs=nnx.Rngs(0)).terms == ("identity", "sum_broadcast")
    dense = (V(S(5)) >> Scalar(S(5))).equivariant_basis().dense()
    assert dense.shape == (5, 1)
    np.testing.assert_allclose(dense[:, 0], np.full(5, 1 / np.sqrt(5)))  # the all-ones row
    assert SetPool(n_ref=4).terms == ("sum",)


def test_layers_run_the_solved_pooling_program():
    """The layer's program is the runtime's, compiled from the solved S(n_ref) pattern basis."""
    from eqsolve.runtime import PatternProgram

    layer = SetLinear(1, 1, rngs=nnx.Rngs(0))
    assert isinstance(layer.program, PatternProgram) and layer.program.num_params == 2
    assert len(layer.basis_labels) == 2
    assert SetLinear(1, 1, pool=False, rngs=nnx.Rngs(0)).program.num_params == 1
    assert isinstance(SetPool().program, PatternProgram)


def test_layer_equals_the_solved_span_at_every_n():
    """dense(n) of random weights lies in the solved basis span at n (no fitting involved)."""
    rng = np.random.default_rng(0)
    layer = SetLinear(2, 3, n_ref=4, use_bias=False, rngs=nnx.Rngs(0))
    for n in (2, 5, 7):
        Q = _dense_basis(n)
        W = layer.dense(n).reshape(3, n, 2, n).transpose(0, 2, 1, 3).reshape(6, n * n)
        np.testing.assert_allclose(W - (W @ Q) @ Q.T, 0.0, atol=1e-5)
        layer.from_basis_coefficients(rng.normal(size=(3, 2, 2)), n)


def test_non_pattern_basis_is_rejected_by_name(monkeypatch):
    """A group whose basis is not an S(n) pattern block is an error naming the rep (no fallback)."""
    import eqsolve.nn.sets as sets

    monkeypatch.setattr(sets, "S", SO)  # SO(3) on V: a dense (krylov/SVD) basis, no patterns
    with pytest.raises(ValueError, match=r"basis of V\[SO\(3\)\].*not one equality-pattern block"):
        sets._solved.__wrapped__(3, "V", "V")


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
    dense = _dense_basis(n)
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
    from eqsolve.nn import layers
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
