"""The matrix-free solvers of eqsolve.solve.krylov: weight-space reduction and LOBPCG.

Dimensions are checked against independent theory (tests/theory.py), spans against the dense
SVD solver, and every basis for orthonormality, residuals and invariance under sampled group
elements (applied matrix-free, so large blocks are checked too)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from eqsolve.groups import Group, Lorentz, O, S, SO, SO13, SO13p, Sp, Z
from eqsolve.reps import Scalar, T, V
from eqsolve.solve import choose_method, solve_basis
from eqsolve.solve.constraints import kron_apply
from eqsolve.solve.dense import solve_dense
from eqsolve.solve.krylov import WeightReductionUnavailable, _diagonalise, solve_krylov, zero_weight_indices
from theory import catalan, o_n_tensor, so2_tensor, so3_tensor, so4_tensor

# SO(3) invariants of T^k(R^3), k = 0..8 (Riordan-type numbers)
SO3_COUNTS = [1, 0, 1, 1, 3, 6, 15, 36, 91]


def check_basis(mono, Q, residuals=None, tol=1e-9, samples=2):
    """Orthonormal columns, small residuals, invariant under sampled elements (matrix-free)."""
    assert Q.shape[0] == mono.size
    if Q.shape[1] == 0:
        return
    assert np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() < 1e-9
    if residuals is not None:
        assert residuals.shape == (Q.shape[1],)
        assert residuals.max() < tol
    for f in mono.groups:
        for g in f.samples(samples, seed=3):
            mats = mono.leaf_matrices({f: g})
            assert np.abs(kron_apply(mono.shape, mats, Q) - Q).max() < 1e-7


@pytest.mark.parametrize("k", range(0, 9))
def test_so3_tensor_invariants_weights(k):
    mono = T(k, 0, SO(3)).monomials[0]
    b = solve_krylov(mono, strategy="weights") if k else solve_basis(T(0, 0, SO(3))).blocks[0][1]
    assert b.dim == SO3_COUNTS[k] == so3_tensor(k)
    if k:
        check_basis(mono, b.Q, b.residuals, samples=1)


def test_so3_t8_is_auto_krylov_and_fast():
    rep = T(8, 0, SO(3))
    assert choose_method(rep.monomials[0]) == "so3"  # SO(3) tensor powers: Clebsch-Gordan coupling
    assert choose_method(T(8, 0, O(3)).monomials[0]) == "krylov"
    assert solve_basis(rep, cache=False).dim == 91
    t = time.perf_counter()
    b = solve_basis(rep, method="krylov", cache=False)
    assert time.perf_counter() - t < 15  # ~0.4 s on one idle core
    assert b.dim == 91 and b.methods == {"krylov"}
    assert np.nanmax(b.residuals) < 1e-10


CASES = [
    ("O(5) T2->T2", T(2, 0, O(5)) >> T(2, 0, O(5)), o_n_tensor(4, 5)),
    ("O(3) T3->T1", T(3, 0, O(3)) >> T(1, 0, O(3)), o_n_tensor(4, 3)),
    ("O(4) T3->T3", T(3, 0, O(4)) >> T(3, 0, O(4)), o_n_tensor(6, 4)),
    ("O(3) T5", T(5, 0, O(3)), 0),
    ("SO(3) T3 (Levi-Civita)", T(3, 0, SO(3)), 1),
    ("SO(4) T4", T(4, 0, SO(4)), so4_tensor(4)),
    ("SO(2) T5", T(5, 0, SO(2)), so2_tensor(5)),
    ("SO(2) T6", T(6, 0, SO(2)), so2_tensor(6)),
    ("O(1,3) T2->T2", T(2, 0, Lorentz()) >> T(2, 0, Lorentz()), o_n_tensor(4, 4)),
    ("O(1,3) T(2,2)", T(2, 2, Lorentz()), o_n_tensor(4, 4)),
    ("O(1,3) T(3,1)", T(3, 1, Lorentz()), o_n_tensor(4, 4)),
    ("SO+(1,3) T(2,2)", T(2, 2, SO13p()), so4_tensor(4)),
    ("SO(1,3) T(1,3)", T(1, 3, SO13()), so4_tensor(4)),
    ("SO+(1,3) T(3,3)", T(3, 3, SO13p()), so4_tensor(6)),
    ("Sp(1) T6", T(6, 0, Sp(1)), catalan(3)),
    ("Sp(2) T4", T(4, 0, Sp(2)), o_n_tensor(4, 2)),
    ("Sp(2) T(2,2)", T(2, 2, Sp(2)), o_n_tensor(4, 2)),
    ("Sp(3) T4", T(4, 0, Sp(3)), o_n_tensor(4, 3)),
]


@pytest.mark.parametrize("name,rep,expected", CASES, ids=[c[0] for c in CASES])
def test_dimensions_against_theory(name, rep, expected):
    mono = rep.monomials[0]
    b = solve_krylov(mono, strategy="weights")
    assert b.dim == expected, name
    check_basis(mono, b.Q, b.residuals)


SPAN_CASES = [c for c in CASES if c[1].size() <= 700] + [
    ("S(3)xSO(3) map", (V(S(3)) * V(SO(3))) >> (V(S(3)) * V(SO(3))), 2),
    ("Z(4)xO(3)", (V(Z(4)) * V(O(3)) ** 2) >> V(Z(4)), 4),
]


@pytest.mark.parametrize("name,rep,expected", SPAN_CASES, ids=[c[0] for c in SPAN_CASES])
def test_same_span_as_dense(name, rep, expected):
    mono = rep.monomials[0]
    qk = solve_krylov(mono).Q
    qd = solve_dense(mono).Q
    assert qk.shape[1] == qd.shape[1] == expected
    if expected:
        assert np.linalg.norm(qd @ (qd.T @ qk) - qk) < 1e-9


@pytest.mark.parametrize(
    "name,rep,expected",
    [c for c in SPAN_CASES if c[1].size() <= 300],
    ids=[c[0] for c in SPAN_CASES if c[1].size() <= 300],
)
def test_lobpcg_strategy(name, rep, expected):
    mono = rep.monomials[0]
    b = solve_krylov(mono, strategy="lobpcg")
    assert b.dim == expected, name
    check_basis(mono, b.Q, b.residuals, tol=1e-6)
    if expected:
        qd = solve_dense(mono).Q
        assert np.linalg.norm(qd @ (qd.T @ b.Q) - b.Q) < 1e-6


def test_sums_with_duals_and_scalars_split_into_blocks():
    G = SO13p()
    rep_in = T(1, 1, G) + V(G) + 2 * Scalar(G)
    rep_out = T(2, 0, G) + V(G).T
    rep = rep_in >> rep_out
    kry = solve_basis(rep, method="krylov", cache=False)
    den = solve_basis(rep, method="dense", cache=False)
    assert kry.dim == den.dim
    Qk, Qd = kry.dense(), den.dense()
    assert np.linalg.norm(Qd @ (Qd.T @ Qk) - Qk) < 1e-9
    for A in G.lie_algebra:
        assert np.abs(rep.drho(A) @ Qk).max() < 1e-9


def test_discrete_only_matrix_group_uses_lobpcg():
    # the cyclic group of order 4 generated by a 90-degree rotation, given as a matrix group:
    # no Lie algebra, not a permutation group -> the weight reduction does not apply
    R = np.array([[0.0, -1.0], [1.0, 0.0]])
    G = Group(R[None], None, name="C4")
    mono = T(2, 0, G).monomials[0]
    with pytest.raises(WeightReductionUnavailable):
        solve_krylov(mono, strategy="weights")
    b = solve_krylov(mono)  # auto -> lobpcg
    assert b.dim == 2 == solve_dense(mono).dim  # (1/4) sum (2 cos theta)^2 = 2
    check_basis(mono, b.Q, b.residuals, tol=1e-6)


def test_zero_weight_indices_match_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(20):
        k = int(rng.integers(1, 5))
        W = [rng.integers(-2, 3, size=(int(rng.integers(1, 4)), 2)) for _ in range(k)]
        got = {tuple(r) for r in zero_weight_indices(W)}
        want = {idx for idx in np.ndindex(*[len(w) for w in W]) if not np.any(sum(W[j][i] for j, i in enumerate(idx)))}
        assert got == want


def test_diagonalise_keeps_real_structure():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    normal = A - A.T  # antisymmetric: normal, imaginary eigenvalues
    P = rng.standard_normal((4, 4))
    nonnormal = P @ np.diag([1.0, -1.0, 2.0, 0.0]) @ np.linalg.inv(P)
    for H in (normal, nonnormal):
        U, Uinv, pair = _diagonalise(H)
        D = Uinv @ H @ U
        assert np.abs(D - np.diag(np.diag(D))).max() < 1e-9
        assert np.abs(U.conj() - U[:, pair]).max() < 1e-12
        assert np.array_equal(pair[pair], np.arange(len(pair)))
    J = np.array([[0.0, 1.0], [0.0, 0.0]])  # a Jordan block is refused
    assert _diagonalise(J) is None


def test_residuals_reported_per_vector():
    b = solve_basis(T(2, 0, O(5)) >> T(2, 0, O(5)), cache=False)
    assert b.methods == {"krylov"}
    assert b.residuals.shape == (3,) and np.all(b.residuals < 1e-12)


def test_sp2_t6_weyl_count():
    # 14 = Weyl integration over the maximal torus of Sp(4) (15 matchings minus one relation)
    assert solve_krylov(T(6, 0, Sp(2)).monomials[0]).dim == 14


@pytest.mark.parametrize(
    "rep,expected",
    [
        ((V(S(3)) * V(SO(3))) >> (V(S(3)) * V(SO(3))), 2 * 1),
        ((V(S(3)) * V(SO(3))) ** 2 >> (V(S(3)) * V(SO(3))) ** 2, 14 * 3),
        ((V(SO(3)) * V(SO(2))) ** 2 >> (V(SO(3)) * V(SO(2))), 0),
        ((V(Z(4)) * V(Lorentz()) ** 2) >> V(Z(4)), 4 * 1),
    ],
    ids=["S3xSO3 V->V", "S3xSO3 T2->T2", "SO3xSO2 T2->T1", "Z4xO13"],
)
def test_product_blocks_factor(rep, expected):
    from eqsolve.solve import solve_basis

    b = solve_basis(rep, cache=False)
    assert b.dim == expected
    assert b.methods <= {"product"}
    Q = b.dense()
    mono = rep.monomials[0]
    check_basis(mono, Q, b.blocks[0][1].residuals)
    if rep.size() <= 700:
        qd = solve_dense(mono).Q
        assert qd.shape[1] == expected
        if expected:
            assert np.linalg.norm(qd @ (qd.T @ Q) - Q) < 1e-9


@pytest.mark.parametrize("p,q,expected", [(4, 0, 3), (2, 2, 3), (3, 1, 3), (3, 3, 15)])
def test_non_normal_generators_and_duals(p, q, expected):
    # SO(3) in a skewed basis: generators P L P^-1 are not normal, the dual rep differs from V,
    # so the per-axis eigenvectors come from eig (non-unitary) and duals use -A^T
    rng = np.random.default_rng(5)
    P = rng.standard_normal((3, 3)) + 2 * np.eye(3)
    G = Group(None, np.array([P @ A @ np.linalg.inv(P) for A in SO(3).lie_algebra]), name="SO3-skew")
    mono = T(p, q, G).monomials[0]
    b = solve_krylov(mono, strategy="weights")
    assert b.dim == expected
    check_basis(mono, b.Q, b.residuals)
    qd = solve_dense(mono).Q
    assert np.linalg.norm(qd @ (qd.T @ b.Q) - b.Q) < 1e-9


def test_reduced_problem_goes_iterative_when_large(monkeypatch):
    from eqsolve.solve import krylov

    monkeypatch.setattr(krylov, "MAX_ZERO_WEIGHT", 50)  # SO(3) T6 has 141 zero-weight indices
    mono = T(6, 0, SO(3)).monomials[0]
    b = solve_krylov(mono, strategy="weights")
    assert b.dim == 15
    check_basis(mono, b.Q, b.residuals, tol=1e-6)


def test_pivoted_cholesky_nullspace_matches_eigh():
    from eqsolve.solve.krylov import _pivoted_cholesky_null

    rng = np.random.default_rng(7)
    for size, n in ((300, 0), (300, 7), (500, 40)):
        A = rng.standard_normal((size, size - n))
        G = A @ A.T
        N = _pivoted_cholesky_null(G.copy(), 1e-9 * np.abs(G).sum(axis=1).max())
        assert N is not None and N.shape == (size, n)
        if n:
            assert np.abs(N.T @ N - np.eye(n)).max() < 1e-10
            assert np.abs(G @ N).max() < 1e-8
            lam, vec = np.linalg.eigh(G)
            V0 = vec[:, :n]
            assert np.linalg.norm(V0 @ (V0.T @ N) - N) < 1e-8


def test_real_coordinate_helpers_match_the_matrix():
    from eqsolve.solve.krylov import _real_coordinates, _real_coordinates_times, _times_real_coordinates

    bar = np.array([3, 1, 4, 0, 2, 5])  # pairs (0,3), (2,4); fixed 1, 5
    Tr = _real_coordinates(bar).toarray()
    assert np.allclose(Tr.conj().T @ Tr, np.eye(6))
    lo = np.flatnonzero(bar > np.arange(6))
    hi = bar[lo]
    rng = np.random.default_rng(0)
    S = rng.standard_normal((4, 6)) + 1j * rng.standard_normal((4, 6))
    Y = rng.standard_normal((6, 3))
    assert np.allclose(_times_real_coordinates(S, lo, hi), S @ Tr)
    X = _real_coordinates_times(Y, lo, hi)
    assert np.allclose(X, Tr @ Y)
    assert np.allclose(X[bar], X.conj())  # real vectors in the conjugation-paired coordinates
