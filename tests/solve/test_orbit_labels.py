"""Orbit bases: labels are the multi-index of each orbit's smallest coordinate."""

import numpy as np

from eqsolve.groups import DihedralPerm, Z
from eqsolve.reps import V
from eqsolve.solve import solve_basis
from eqsolve.solve.basis import OrbitBasis, PermutationBasis


def test_cyclic_circulant_labels_and_representatives():
    n = 5
    basis = solve_basis(V(Z(n)) >> V(Z(n)), cache=False)
    ((mono, b),) = basis.blocks
    assert isinstance(b, PermutationBasis) and b.dim == n  # a CyclicBasis: orbits in closed form
    # the orbit of (0, k) is the k-th circulant diagonal {(i, i + k mod n)}
    assert b.labels == [(0, k) for k in range(n)]
    grid = b.orbit_of.reshape(n, n)
    for i in range(n):
        for j in range(n):
            assert grid[i, j] == (j - i) % n
    assert basis.labels == b.labels


def test_representatives_given_or_computed_agree():
    basis = solve_basis(V(DihedralPerm(6)) * V(DihedralPerm(6)) * V(DihedralPerm(6)), cache=False)
    ((_, b),) = basis.blocks
    again = OrbitBasis(b.orbit_of, b.shape)  # representatives recomputed from scratch
    np.testing.assert_array_equal(again.representatives, b.representatives)
    assert again.labels == b.labels
    flat = np.ravel_multi_index(tuple(np.array(b.labels).T), b.shape)
    np.testing.assert_array_equal(flat, b.representatives)
    for k, r in enumerate(b.representatives):  # the smallest coordinate of orbit k
        assert r == np.flatnonzero(b.orbit_of == k).min()


def test_connected_components_path_gives_the_same_basis(monkeypatch):
    import eqsolve.solve.orbit as orbit

    mono = (V(DihedralPerm(6)) * V(DihedralPerm(6)) * V(DihedralPerm(6))).monomials[0]
    small = orbit.solve_orbit(mono)  # label propagation
    monkeypatch.setattr(orbit, "SMALL_ORBIT_SIZE", 0)
    big = orbit.solve_orbit(mono)  # scipy connected components
    np.testing.assert_array_equal(big.orbit_of, small.orbit_of)
    np.testing.assert_array_equal(big.representatives, small.representatives)
    np.testing.assert_array_equal(OrbitBasis(big.orbit_of, big.shape).representatives, big.representatives)
