"""The groups EMLP has, with EMLP's meanings: defining properties of the generators, and a
basis dimension of each against an independent count (characters of enumerated elements,
binomial / factorial / Catalan counts, or hand counts)."""

import math

import numpy as np
import pytest

from eqsolve.groups import (
    C,
    D,
    GL,
    O11,
    SL,
    SU,
    U,
    Cube,
    DihedralPerm,
    DkeR3,
    Embed,
    O,
    O2eR3,
    O13,
    Lorentz,
    Parity,
    Scaling,
    SO,
    SO2eR3,
    SO11p,
    TimeReversal,
    ZksZnxZn,
)
from eqsolve.reps import T, V
from theory import burnside_tensor, catalan, character_dim, finite_group_elements

ETA11 = np.diag([-1.0, 1.0])


def tensor_dim(G, p, q=0):
    return T(p, q, G).equivariant_basis().dim


@pytest.mark.parametrize("k", [1, 2, 3, 4, 6, 8])
def test_C_and_D_are_2x2_rotations_and_reflections(k):
    Ck, Dk = C(k), D(k)
    assert Ck.d == Dk.d == 2 and Ck.is_orthogonal and Dk.is_orthogonal
    R = Ck.discrete_generators[0]
    assert np.allclose(R.T @ R, np.eye(2)) and np.isclose(np.linalg.det(R), 1)
    assert np.allclose(np.linalg.matrix_power(R, k), np.eye(2))
    assert np.isclose(np.linalg.det(Dk.discrete_generators[1]), -1)
    els_c, els_d = finite_group_elements(Ck.discrete_generators), finite_group_elements(Dk.discrete_generators)
    assert len(els_c) == k and len(els_d) == 2 * k
    for G, els in ((Ck, els_c), (Dk, els_d)):
        for p in range(1, 5):
            assert tensor_dim(G, p) == character_dim(els, lambda g: np.trace(g) ** p), (G, p)


def test_dihedral_permutation_group_keeps_an_explicit_name():
    G = DihedralPerm(5)
    assert G.d == 5 and G.is_permutation and G.order() == 10
    assert G != D(5) and D(5).d == 2
    assert (V(G) >> V(G)).equivariant_basis().dim == burnside_tensor(G.perm_generators.tolist(), 5, 2)


@pytest.mark.parametrize("n", [2, 3])
def test_SL_and_GL(n):
    for A in SL(n).lie_algebra:
        assert abs(np.trace(A)) < 1e-12  # sl(n): traceless, so det exp(A) = 1
    assert len(SL(n).lie_algebra) == n * n - 1 and len(GL(n).lie_algebra) == n * n
    for g in SL(n).samples(3, seed=1):
        assert np.isclose(np.linalg.det(g), 1)
    assert all(np.linalg.det(g) > 0 for g in GL(n).samples(3, seed=1))
    assert not SL(n).is_orthogonal and not GL(n).is_orthogonal
    # Schur-Weyl: GL(n) invariants of T(k, k) are the k! permutations of the indices (n >= k)
    for k in range(1, n + 1):
        assert tensor_dim(GL(n), k, k) == math.factorial(k)
    assert tensor_dim(GL(n), n, 0) == 0 and tensor_dim(SL(n), n, 0) == 1  # the Levi-Civita tensor
    assert tensor_dim(SL(n), 1, 1) == 1


def test_SL2_is_Sp1():
    for k in (2, 4, 6):
        assert tensor_dim(SL(2), k) == catalan(k // 2)


def test_1plus1_lorentz_groups():
    for G in (SO11p(), O11()):
        for g in list(G.samples(4, seed=2)) + list(G.discrete_generators):
            assert np.allclose(g.T @ ETA11 @ g, ETA11, atol=1e-9)
        for A in G.lie_algebra:
            assert np.allclose(A.T @ ETA11 + ETA11 @ A, 0)
    # light-cone weights +-1: invariants of T(k) pick k/2 of each; O(1,1) swaps the two cones
    for k in (2, 4, 6):
        assert tensor_dim(SO11p(), k) == math.comb(k, k // 2)
        assert tensor_dim(O11(), k) == math.comb(k, k // 2) // 2
    assert tensor_dim(SO11p(), 3) == 0


def test_scaling_parity_time_reversal():
    G = Scaling(3)
    assert np.allclose(G.lie_algebra[0], np.eye(3))
    assert tensor_dim(G, 1, 1) == 9 and tensor_dim(G, 2, 0) == 0  # weight p - q must vanish
    eta = np.diag([-1.0, 1, 1, 1])
    for G, sign in ((Parity(), np.diag([1.0, -1, -1, -1])), (TimeReversal(), np.diag([-1.0, 1, 1, 1]))):
        (g,) = G.discrete_generators
        assert np.allclose(g, sign) and np.allclose(g.T @ eta @ g, eta)
        els = finite_group_elements(G.discrete_generators)
        assert len(els) == 2
        for p in (1, 2, 3):
            assert tensor_dim(G, p) == character_dim(els, lambda h: np.trace(h) ** p)
    assert O13() == Lorentz()


def test_cube_rotations_on_faces():
    G = Cube()
    assert G.order() == 24 and G.d == 6 and G.is_permutation
    gens = G.perm_generators.tolist()
    for k in (1, 2, 3):
        assert tensor_dim(G, k) == burnside_tensor(gens, 6, k)
    assert (V(G) >> V(G)).equivariant_basis().dim == 3  # same face, opposite face, adjacent face


@pytest.mark.parametrize("k,n", [(2, 2), (2, 3), (4, 2), (4, 4)])
def test_ZksZnxZn(k, n):
    G = ZksZnxZn(k, n)
    assert G.d == k * n * n and G.order() == k * n * n  # acts simply transitively
    assert (V(G) >> V(G)).equivariant_basis().dim == k * n * n  # commutant of the regular rep
    gens = G.perm_generators.tolist()
    if k * n * n <= 16:
        assert tensor_dim(G, 2) == burnside_tensor(gens, k * n * n, 2)


def test_embedded_groups():
    G = SO2eR3()
    e3 = np.array([0.0, 0, 1])
    for g in G.samples(3, seed=0):
        assert np.allclose(g.T @ g, np.eye(3)) and np.allclose(g @ e3, e3) and np.isclose(np.linalg.det(g), 1)
    # V = psi_1 + 1: V -> V has 2 (psi_1 is of complex type) + 1
    assert (V(G) >> V(G)).equivariant_basis().dim == 3
    assert (V(O2eR3()) >> V(O2eR3())).equivariant_basis().dim == 2
    for k in (3, 5):
        H = DkeR3(k)
        els = finite_group_elements(H.discrete_generators)
        assert len(els) == 2 * k
        for p in (2, 3):
            assert tensor_dim(H, p) == character_dim(els, lambda h: np.trace(h) ** p)
    E = Embed(O(2), 4, slice(1, 3))
    assert E.d == 4 and np.allclose(E.discrete_generators[0][[0, 3]][:, [0, 3]], np.eye(2))
    with pytest.raises(ValueError, match="selects 3 coordinates"):
        Embed(SO(2), 4, slice(0, 3))


@pytest.mark.parametrize("n", [2, 3])
def test_U_and_SU_are_complex_as_in_emlp(n):
    for G in (U(n), SU(n)):
        assert G.is_complex and not G.is_orthogonal
        for A in G.lie_algebra:
            assert np.allclose(A.conj().T, -A)  # anti-Hermitian: exp(A) is unitary
        for g in G.samples(3, seed=5):
            assert np.allclose(g.conj().T @ g, np.eye(n), atol=1e-10)
    assert len(U(n).lie_algebra) == n * n and len(SU(n).lie_algebra) == n * n - 1
    for g in SU(n).samples(3, seed=6):
        assert np.isclose(np.linalg.det(g), 1)
    # complex dimensions (EMLP's): Schur-Weyl, T(k, k) has k! invariants for n >= k (sum of f_lambda^2
    # over partitions with at most n rows otherwise); the Levi-Civita tensor only for SU(n)
    for k in range(1, 4):
        expect = math.factorial(k) if n >= k else {3: 5}[k]
        assert tensor_dim(U(n), k, k) == expect and tensor_dim(SU(n), k, k) == expect
    assert tensor_dim(SU(n), n, 0) == 1 and tensor_dim(U(n), n, 0) == 0
    assert tensor_dim(SU(n), 1, 0) == 0 and tensor_dim(U(n), 2, 0) == 0
    Q = T(1, 1, SU(n)).equivariant_basis().dense()
    assert np.allclose(np.abs(Q[:, 0]), np.eye(n).reshape(-1) / np.sqrt(n))  # the identity (up to a phase)


def test_SU2_invariants_are_catalan():
    for k in (2, 4, 6):
        assert tensor_dim(SU(2), k) == catalan(k // 2)
