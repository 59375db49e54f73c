"""EMLP-style use of a solved basis: Q.shape, Q @ W (matrix-free), np.asarray(Q) (size-guarded)."""

import numpy as np
import pytest

from eqsolve.groups import SO, S, U
from eqsolve.memory import TooLargeError
from eqsolve.reps import Scalar, T, V


def _shared_blocks():
    """Many blocks sharing one Basis object (identical monomials): the batched path."""
    X = V(S(4))
    return (3 * X + 2 * X**2 + Scalar) >> (2 * X + X**2)


def _complex_blocks():
    X = V(U(2))
    return 2 * X + X.T >> X + 2 * X.T


@pytest.mark.parametrize(
    "rep",
    [V(S(5)) ** 2 >> V(S(5)) ** 2, T(3, 0, SO(3)), V(S(3)) + V(S(3)) ** 2, _shared_blocks(), _complex_blocks()],
)
def test_shape_matmul_asarray(rep):
    Q = rep.equivariant_basis()
    dense = Q.dense()
    assert Q.shape == dense.shape == (rep.size(), Q.dim)
    assert np.array_equal(np.asarray(Q), dense)
    if not np.iscomplexobj(dense):
        assert np.asarray(Q, dtype=np.float32).dtype == np.float32
    rng = np.random.default_rng(0)
    W = rng.normal(size=Q.dim)
    assert np.allclose(Q @ W, dense @ W)
    W2 = rng.normal(size=(Q.dim, 3))
    assert np.allclose(Q @ W2, dense @ W2)
    x = rng.normal(size=(2, rep.size()))
    assert np.allclose(x @ Q, x @ dense)  # matrix-free
    assert np.allclose((Q @ W2).T.conj() @ Q, W2.T)  # the coefficients of Q W are W


def test_matmul_never_forms_the_dense_basis():
    """Q @ W and x @ Q on an exchangeable layer read the patterns; np.asarray(Q) of a
    10^12-entry layer is refused by size, naming the dense basis."""
    X = V(S(30, label="a")) * V(S(40, label="b"))
    Q = (X >> X).equivariant_basis()
    assert Q.shape == (1200**2, 4)  # 2^D subsets for D = 2 (Hartford et al., Theorem 5.1)
    cols = Q @ np.eye(4)
    assert np.allclose(cols.T @ cols, np.eye(4))
    assert np.allclose(cols.T @ np.ones(Q.size), np.ones(Q.size) @ Q)
    big = V(S(1000, label="a")) * V(S(1000, label="b"))
    with pytest.raises(TooLargeError, match="dense basis"):
        np.asarray((big >> big).equivariant_basis())
