"""verify.equivariance on matrices, bases and functions."""

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import Lorentz, S, SO, SO13p, Z
from eqsolve.reps import T, V


@pytest.mark.parametrize(
    "G,k_in,k_out", [(S(4), 2, 2), (Z(5), 2, 1), (SO(3), 2, 2), (Lorentz(), 1, 1), (SO13p(), 2, 0)]
)
def test_generic_W_and_basis_pass(G, k_in, k_out):
    rin, rout = T(k_in, G=G), T(k_out, G=G)
    B = (rin >> rout).equivariant_basis()
    rep_b = verify.equivariance(B)
    assert rep_b.passed, str(rep_b)
    W = B.apply(np.random.default_rng(0).normal(size=B.dim)).reshape(rout.size(), rin.size())
    rep_w = verify.equivariance(W, rin, rout)
    assert rep_w.passed, str(rep_w)
    assert rep_w.worst_error < 1e-10


def test_perturbed_W_fails_with_worst_element():
    G = SO(3)
    rin, rout = T(2, G=G), T(1, G=G)
    B = (rin >> rout).equivariant_basis()
    W = B.dense()[:, 0].reshape(3, 9) + 1e-3 * np.random.default_rng(2).normal(size=(3, 9))
    report = verify.equivariance(W, rin, rout)
    assert not report.passed
    el = report.worst_element
    assert el is not None and report.worst_error > 1e-5
    # recompute the error of the reported element independently
    g = el.matrix(G)
    if el.kind == "lie":
        diff = rout.drho(g) @ W - W @ rin.drho(g)
    else:
        diff = rout.rho(g) @ W - W @ rin.rho(g)
    assert np.linalg.norm(diff) > 1e-6
    assert "FAIL" in report.table()


def test_permutation_W_wrong_shape_raises():
    G = S(3)
    with pytest.raises(ValueError, match="shape"):
        verify.equivariance(np.zeros((2, 3)), V(G), V(G))


def test_functions():
    G = SO(3)

    def f(x):
        return (x * x).sum(1, keepdims=True) * x

    assert verify.equivariance(f, V(G), V(G)).passed
    bad = verify.equivariance(lambda x: x**3, V(G), V(G))
    assert not bad.passed and bad.worst_element is not None
    H = S(5)
    assert verify.equivariance(lambda x: np.tanh(x) - np.tanh(x).mean(1, keepdims=True), V(H), V(H)).passed
    cum = verify.equivariance(lambda x: np.cumsum(x, 1), V(H), V(H))
    assert not cum.passed
    assert cum.check("f commutes with generators").passed is False


def test_product_group_matrix():
    r, c = S(3, label="r"), S(4, label="c")
    X = V(r) * V(c)
    B = (X >> X).equivariant_basis()
    W = B.apply(np.arange(1.0, B.dim + 1)).reshape(12, 12)
    assert verify.equivariance(W, X, X).passed
    W2 = W.copy()
    W2[0, 1] += 1.0
    rep = verify.equivariance(W2, X, X)
    assert not rep.passed and rep.worst_element.kind in ("generator", "sample")


def test_matrix_free_action_agrees(monkeypatch):
    """Large reps use the monomial (matrix-free) action; force it on a small one."""
    import importlib

    eq = importlib.import_module("eqsolve.verify.equivariance")
    G = SO(3)
    rin, rout = T(2, G=G), T(2, G=G)
    B = (rin >> rout).equivariant_basis()
    W = B.apply(np.ones(B.dim)).reshape(9, 9)
    monkeypatch.setattr(eq, "DENSE_ACTION_MAX", 0)
    assert verify.equivariance(B).passed
    assert verify.equivariance(W, rin, rout).passed
    assert not verify.equivariance(W + 1e-3 * np.eye(9)[::-1], rin, rout).passed


def test_basis_too_large_is_a_clear_error():
    with pytest.raises(ValueError, match="size"):
        verify.basis((T(2) >> T(2))(S(40)))
