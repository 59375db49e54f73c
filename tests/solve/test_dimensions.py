"""Basis dimensions against independent theory (see tests/theory.py), and invariance of every
returned basis to generators and sampled elements at 1e-8 (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from eqsolve.groups import A, DihedralPerm, DirectProduct, Lorentz, O, RubiksCube, S, SO, SO13, SO13p, Sp, Trivial, Z
from eqsolve.reps import Scalar, T, V, Vsum
from theory import burnside_tensor, catalan, o_n_tensor, so2_tensor, so3_tensor, so4_tensor, truncated_bell


def assert_invariant(rep, Q, n_samples=3, tol=1e-8):
    G = rep.G
    assert Q.shape == (rep.size(), Q.shape[1])
    if Q.shape[1]:
        assert np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() < 1e-8
    if Q.shape[1] == 0:
        return
    for g in list(G.discrete_generators) + list(G.samples(n_samples, seed=1)):
        assert np.abs(rep.rho(g) @ Q - Q).max() < tol
    for a in G.lie_algebra:
        assert np.abs(rep.drho(a) @ Q).max() < tol


# ---------------------------------------------------------------- S(n): Bell
S_CASES = [(n, k, l) for n in range(1, 7) for k in range(0, 4) for l in range(0, 4) if 0 < k + l <= 5]


@pytest.mark.parametrize("n,k,l", S_CASES)
def test_symmetric_group_truncated_bell(n, k, l):
    rep = T(k, 0, S(n)) >> T(l, 0, S(n))
    basis = rep.equivariant_basis()
    assert basis.dim == truncated_bell(k + l, n)
    if rep.size() <= 1300:
        assert_invariant(rep, basis.dense(), n_samples=2)


def test_issue_examples_s_n():
    assert (V(S(3)) ** 2 >> V(S(3)) ** 2).equivariant_basis().dim == 14
    assert (V(S(4)) ** 2 >> V(S(4)) ** 2).equivariant_basis().dim == 15
    assert (V(S(2)) ** 2 >> V(S(2)) ** 2).equivariant_basis().dim == 8


# ------------------------------------------------ other permutation groups: Burnside
PERM_CASES = []
for maker, ns in ((A, (3, 4, 5)), (Z, (2, 3, 5, 6)), (DihedralPerm, (3, 4, 5)), (Trivial, (1, 3))):
    for n in ns:
        for k in (1, 2, 3, 4):
            if n**k <= 2000:
                PERM_CASES.append((maker, n, k))


@pytest.mark.parametrize("maker,n,k", PERM_CASES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_permutation_groups_burnside(maker, n, k):
    G = maker(n)
    rep = T(k, 0, G)
    basis = rep.equivariant_basis()
    assert basis.dim == burnside_tensor(G.perm_generators.tolist(), n, k)
    assert_invariant(rep, basis.dense(), n_samples=2)


def test_issue_examples_permutation():
    assert (V(A(4)) ** 2 >> V(A(4)) ** 2).equivariant_basis().dim == 22
    for n in (2, 5, 9):
        assert (V(Z(n)) >> V(Z(n))).equivariant_basis().dim == n
    rep = V(RubiksCube()) >> V(RubiksCube())
    b = rep.equivariant_basis()
    # corners: same facelet / other two facelets of the cubie / other cubies = 4 orbits,
    # edges: 3, corner<->edge: 1 each way  => 9
    assert b.dim == 9
    assert_invariant(rep, b.dense())


# ----------------------------------------------------------- continuous groups
def _lie_cases():
    out = []
    for k in range(0, 7):
        out.append(("SO(3)", SO(3), k, 0, so3_tensor(k)))
    for k in range(0, 7):
        out.append(("SO(2)", SO(2), k, 0, so2_tensor(k)))
    for k in range(0, 5):
        out.append(("O(3)", O(3), k, 0, o_n_tensor(k, 3)))
        out.append(("O(4)", O(4), k, 0, o_n_tensor(k, 4)))
        out.append(("O(5)", O(5), k, 0, o_n_tensor(k, 5)))
    out.append(("O(3)", O(3), 5, 0, 0))
    for k in range(0, 5):
        out.append(("SO(4)", SO(4), k, 0, so4_tensor(k)))
        out.append(("SO+(1,3)", SO13p(), k, 0, so4_tensor(k)))
        out.append(("SO(1,3)", SO13(), k, 0, so4_tensor(k)))
        out.append(("O(1,3)", Lorentz(), k, 0, o_n_tensor(k, 4)))
    for p, q in ((1, 1), (2, 1), (2, 2), (0, 2), (3, 1)):
        out.append(("O(1,3)", Lorentz(), p, q, o_n_tensor(p + q, 4)))
        out.append(("SO+(1,3)", SO13p(), p, q, so4_tensor(p + q)))
    for k in range(0, 9, 2):
        out.append(("Sp(1)", Sp(1), k, 0, catalan(k // 2)))
    for k in (2, 4):
        out.append(("Sp(2)", Sp(2), k, 0, o_n_tensor(k, 2)))
        out.append(("Sp(2)", Sp(2), k // 2, k // 2, o_n_tensor(k, 2)))
    return out


@pytest.mark.parametrize("name,G,p,q,expected", _lie_cases(), ids=lambda x: str(x) if not hasattr(x, "d") else "")
def test_continuous_groups(name, G, p, q, expected):
    rep = T(p, q, G)
    basis = rep.equivariant_basis()
    assert basis.dim == expected, f"{name} T({p},{q})"
    assert_invariant(rep, basis.dense(), n_samples=2)


def test_issue_examples_continuous():
    assert [T(k, 0, SO(3)).equivariant_basis().dim for k in range(7)] == [1, 0, 1, 1, 3, 6, 15]
    assert T(5, 0, O(3)).equivariant_basis().dim == 0
    G = SO13p()
    assert (V(G) ** 2 >> V(G) ** 2).equivariant_basis().dim == 4
    assert (V(Sp(1)) ** 2 >> V(Sp(1)) ** 2).equivariant_basis().dim == 2


# ------------------------------------------------------------------- products
PRODUCT_SHAPES = [(3,), (1,), (2, 3), (3, 4), (1, 5), (4, 1), (2, 2, 2), (3, 1, 4), (2, 3, 4), (1, 1), (2, 2, 3, 2)]


@pytest.mark.parametrize("shape", PRODUCT_SHAPES, ids=str)
def test_products_of_symmetric_groups_two_to_the_d(shape):
    X = None
    for i, n in enumerate(shape):
        v = V(S(n, label=f"axis{i}"))
        X = v if X is None else X * v
    rep = X >> X
    basis = rep.equivariant_basis()
    assert basis.dim == 2 ** sum(1 for n in shape if n >= 2)
    if rep.size() <= 600:
        assert_invariant(rep, basis.dense(), n_samples=2)


def test_mixed_products_are_multiplicative():
    # S(3) x SO(3) acting on 3x3 matrices: dims multiply (2 for S(3) V->V, 1 for SO(3) V->V)
    X = V(S(3)) * V(SO(3))
    b = (X >> X).equivariant_basis()
    assert b.dim == 2 * 1
    assert_invariant(X >> X, b.dense())
    # Z(4) x S(3) on T1 x T2 -> Z(4) x S(3) T1 x T1:  Z4 V->V (4) * S(3) T3 (5)
    Y_in = V(Z(4)) * V(S(3)) ** 2
    Y_out = V(Z(4)) * V(S(3))
    b = (Y_in >> Y_out).equivariant_basis()
    assert b.dim == 4 * truncated_bell(3, 3)
    assert_invariant(Y_in >> Y_out, b.dense())


def test_direct_product_group_rep():
    P = DirectProduct(S(3, label="a"), S(4, label="b"))
    rep = V(P) >> V(P)  # EMLP's meaning: V(P) = V_a (x) V_b on R^12, so dims multiply: 2 * 2
    b = rep.equivariant_basis()
    assert V(P).size() == 12 and b.dim == 4
    assert_invariant(rep, b.dense())
    rep = Vsum(P) >> Vsum(P)  # the explicit sum form on R^7: a->a (2), b->b (2), a->b (1), b->a (1)
    b = rep.equivariant_basis()
    assert Vsum(P).size() == 7 and b.dim == 6
    assert_invariant(rep, b.dense())


# ----------------------------------------------------------------------- sums
def test_sums_split_and_count():
    G = SO(3)
    ks = [2, 1] + [0] * 5
    rep = (T(2) + T(1) + 5 * T(0))(G)
    b = (rep >> rep).equivariant_basis()
    assert b.dim == sum(so3_tensor(a + c) for a in ks for c in ks)
    assert_invariant(rep >> rep, b.dense(), n_samples=2)
    # identical blocks are solved once
    ids = {id(basis) for _, basis in b.blocks}
    assert len(ids) < len(b.blocks)


def test_unbound_forms_and_multiplicities():
    G = S(4)
    rep = (2 * V**2 + V)(G)
    assert rep.size() == 2 * 16 + 4
    b = (rep >> rep).equivariant_basis()
    # blocks: 2x2 copies of T2->T2 (15), 2 copies each of T2->T1, T1->T2 (5 each), T1->T1 (2)
    assert b.dim == 4 * 15 + 2 * 5 + 2 * 5 + 2
    assert_invariant(rep >> rep, b.dense(), n_samples=2)


def test_scalar_and_trivial_reps():
    assert (Scalar(S(3)) >> Scalar(S(3))).equivariant_basis().dim == 1
    assert (V(Trivial(3)) >> V(Trivial(3))).equivariant_basis().dim == 9
