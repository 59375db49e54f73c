"""Pooling programs (S(n) equality patterns) agree with the solver's dense basis."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from eqsolve.groups import S
from eqsolve.reps import Scalar, T, V
from eqsolve.runtime import LinearProgram, PatternProgram
from layer_checks import assert_program_matches_dense as assert_matches_dense


def tk(k, G):
    return T(k, 0, G) if k else Scalar(G)


@pytest.mark.parametrize("n", [2, 3, 5])
@pytest.mark.parametrize("k,l", list(itertools.product(range(3), range(3))))
def test_sn_tensor_maps_match_dense(n, k, l):
    G = S(n)
    prog = assert_matches_dense(tk(k, G), tk(l, G))
    kinds = {p.kind for _, _, p in prog.blocks}
    assert kinds == ({"orbit"} if k == l == 0 else {"pattern"})


def test_t2_t2_has_15_patterns_and_mean_pooling_matches_dense():
    G = S(5)
    prog = assert_matches_dense(V(G) ** 2, V(G) ** 2, pooling="mean")
    assert prog.blocks[0][2].num_params == 15


def test_exchangeable_matrix_layer():
    X = V(S(3)) * V(S(4))
    prog = assert_matches_dense(X, X)
    assert prog.blocks[0][2].num_params == 4  # Hartford et al.: 2^2 subset-tied weights
    Y = V(S(4, label="rows")) * V(S(4, label="cols"))
    assert_matches_dense(Y, Y, pooling="mean")


def test_mixed_orders_nxnxm():
    G, H = S(3), S(2)
    X = V(G) * V(G) * V(H)
    assert_matches_dense(X, X)
    assert_matches_dense(X, V(G) * V(H))
    assert_matches_dense(V(H) + V(G), X)


def test_sums_with_multiplicities():
    G = S(4)
    assert_matches_dense(3 * V(G) + T(2, 0, G) + Scalar(G), 2 * V(G) + 2 * Scalar(G) + T(2, 0, G))
    assert_matches_dense(2 * (V(S(3)) * V(S(2))) + Scalar, V(S(3)) * V(S(2)) + 3 * Scalar)


def test_change_of_basis_is_exact_inverse():
    G = S(4)
    prog = LinearProgram(V(G) ** 2, V(G) ** 2)
    p = prog.blocks[0][2]
    assert isinstance(p, PatternProgram)
    M = p.change_matrix()
    assert np.linalg.matrix_rank(M) == M.shape[0]
    w = np.random.default_rng(0).normal(size=(2, 3, p.num_params))
    np.testing.assert_allclose(p.from_solver(p.to_solver(w)), w, atol=1e-10)


@pytest.mark.parametrize("pooling", ["sum", "mean"])
def test_size_agnostic(pooling):
    """Weights built at n=5 apply to n=8 exactly like a program built at n=8, and stay
    equivariant there."""
    p5 = LinearProgram(2 * V(S(5)) ** 2, 3 * V(S(5)) + Scalar, pooling=pooling)
    p8 = LinearProgram(2 * V(S(8)) ** 2, 3 * V(S(8)) + Scalar, pooling=pooling)
    ws, bs = p5.init(jax.random.PRNGKey(1))
    bs = [b + 0.5 for b in bs]
    x = jax.random.normal(jax.random.PRNGKey(2), (4, 2, 8, 8))
    out5 = jax.jit(p5.apply_fields)(ws, [x], bs)
    out8 = jax.jit(p8.apply_fields)(ws, [x], bs)
    for a, b in zip(out5, out8):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    perm = np.random.default_rng(3).permutation(8)
    outp = jax.jit(p5.apply_fields)(ws, [x[:, :, perm][:, :, :, perm]], bs)
    np.testing.assert_allclose(outp[0], out5[0][:, :, perm], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(outp[1], out5[1], rtol=1e-4, atol=1e-4)


def test_large_layer_never_builds_dense():
    """S(943) x S(1682) rating matrix: the dense basis would be ~10^13 entries; the pooling
    program is built and applied anyway, and asking for the dense one fails clearly."""
    X = V(S(943, label="users")) * V(S(1682, label="items"))
    prog = LinearProgram(X, X)
    ws, bs = prog.init(jax.random.PRNGKey(0))
    x = jnp.ones((1, 1, 943, 1682), jnp.float32)
    y = jax.jit(lambda w, b, x: prog.apply_fields(w, [x], b)[0])(ws, bs, x)
    assert y.shape == (1, 1, 943, 1682)
    with pytest.raises(ValueError, match="would need"):
        LinearProgram(X, X, mode="dense")
