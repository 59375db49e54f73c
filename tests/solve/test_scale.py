"""Scale: structured bases that never enumerate index tuples, and dense requests that explain
themselves instead of allocating."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from eqsolve.groups import A, DihedralPerm, O, RubiksCube, S, SO, Z
from eqsolve.memory import TooLargeError
from eqsolve.reps import T, V
from eqsolve.solve import PatternBasis, choose_method, clear_memory, solve_basis
from eqsolve.solve.dense import solve_dense


def _pattern_layer(n):
    X = V(S(n, label="u")) * V(S(n, label="i"))
    return X >> X


def test_s1000_x_s1000_layer_is_instant_and_allocates_nothing_large():
    rep = _pattern_layer(1000)  # a 10^12-entry weight space
    clear_memory()
    tracemalloc.start()
    try:
        t = time.perf_counter()
        basis = solve_basis(rep, cache=False)
        elapsed = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 2 * 2**20, f"peak traced allocation {peak} bytes"
    assert rep.size() == 10**12
    assert basis.dim == 4 and basis.methods == {"pattern"}
    ((_, block),) = basis.blocks
    assert isinstance(block, PatternBasis)
    # axes: 0 = out row (u), 1 = out col (i), 2 = in row (u), 3 = in col (i)
    ties = {(lab.tied(0, 2), lab.tied(1, 3)) for lab in basis.labels}
    assert ties == {(True, True), (True, False), (False, True), (False, False)}
    assert np.all(block.counts > 0)
    assert block.counts.sum() == rep.size()


def test_s1000_tensor_patterns_are_bell_numbers():
    rep = T(2, 0, S(1000)) >> T(2, 0, S(1000))
    t = time.perf_counter()
    basis = solve_basis(rep, cache=False)
    assert time.perf_counter() - t < 0.5
    assert basis.dim == 15  # Bell(4)
    assert all(len(lab.partition(lab.groups[0])) <= 4 for lab in basis.labels)


def test_dense_request_that_does_not_fit_says_how_big_and_what_instead():
    basis = solve_basis(_pattern_layer(1000), cache=False)
    with pytest.raises(ValueError) as err:
        basis.dense()
    msg = str(err.value)
    assert "TiB" in msg and "runtime" in msg
    assert isinstance(err.value, TooLargeError)


def test_dense_solver_refuses_huge_block_and_names_alternatives():
    mono = (V(S(1000)) >> V(S(1000))).monomials[0]
    mono_big = (T(3, 0, SO(3)) >> T(20, 0, SO(3))).monomials[0]
    with pytest.raises(ValueError, match="krylov"):
        solve_dense(mono_big)
    assert choose_method(mono) == "pattern"
    assert choose_method(mono_big) == "so3"  # a tensor power of V[SO(3)]: Clebsch-Gordan coupling
    assert choose_method((T(3, 0, O(3)) >> T(20, 0, O(3))).monomials[0]) == "krylov"


def test_choose_method():
    assert choose_method((V(Z(8)) >> V(Z(8))).monomials[0]) == "cyclic"
    assert choose_method((V(DihedralPerm(8)) >> V(DihedralPerm(8))).monomials[0]) == "orbit"
    assert choose_method(T(2, 0, SO(3)).monomials[0]) == "dense"  # tiny Lie block
    assert choose_method(T(5, 0, SO(3)).monomials[0]) == "so3"  # Clebsch-Gordan coupling
    assert choose_method(T(5, 0, O(3)).monomials[0]) == "krylov"  # weight reduction
    assert choose_method((T(2, 0, S(7)) >> T(2, 0, S(7))).monomials[0]) == "pattern"


def test_large_continuous_block_is_matrix_free():
    # SO(3) maps T3 -> T4 (2187 coordinates; 3^7 x 3^7 per dense constraint): the weight
    # reduction works on the 393 zero-weight indices
    rep = T(3, 0, SO(3)) >> T(4, 0, SO(3))
    basis = solve_basis(rep, cache=False)
    assert basis.dim == 36  # same as T7 invariants
    assert np.nanmax(basis.residuals) < 1e-10


@pytest.mark.parametrize(
    "rep",
    [
        V(Z(8)) >> V(Z(8)),
        T(4, 0, DihedralPerm(7)),
        (V(Z(4)) * V(A(4))) >> (V(Z(4)) * V(A(4))),
        V(RubiksCube()) >> V(RubiksCube()),
    ],
    ids=str,
)
def test_orbit_label_propagation_matches_connected_components(rep, monkeypatch):
    from eqsolve.solve import orbit

    mono = rep.monomials[0]
    fast = orbit.solve_orbit(mono)
    monkeypatch.setattr(orbit, "SMALL_ORBIT_SIZE", 0)
    slow = orbit.solve_orbit(mono)
    assert np.array_equal(fast.orbit_of, slow.orbit_of)
