"""Closed-form cyclic bases: the same orbits as the orbit search, without enumerating the block."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqsolve.groups import DihedralPerm, S, Z
from eqsolve.groups.permutation import PermutationGroup
from eqsolve.reps import V
from eqsolve.solve import CyclicBasis, solve_basis, solve_block
from eqsolve.solve.cyclic import is_cyclic_block, solve_cyclic
from eqsolve.solve.orbit import solve_orbit


def _same_as_orbit_search(rep):
    basis = solve_basis(rep, cache=False)
    for mono, b in basis.blocks:
        assert isinstance(b, CyclicBasis) and b.method == "cyclic"
        ref = solve_orbit(mono)
        assert b.dim == ref.dim
        np.testing.assert_array_equal(b.orbit_of, ref.orbit_of)
        np.testing.assert_array_equal(b.representatives, ref.representatives)
        np.testing.assert_array_equal(b.counts, ref.counts)
        assert b.labels == ref.labels
        np.testing.assert_allclose(b.dense(), ref.dense())
    return basis


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(2, 5)), min_size=1, max_size=4))
def test_cyclic_products_match_orbit_search(axes):
    # axes: (factor label, n); one n per label so each label is one group Z(n)
    sizes = {}
    for lab, n in axes:
        sizes.setdefault(lab, n)
    rep = None
    for lab, _ in axes:
        v = V(Z(sizes[lab], label=f"g{lab}"))
        rep = v if rep is None else rep * v
    basis = _same_as_orbit_search(rep)
    # independent count: prod over factors of n^(k-1), k = number of axes of the factor
    counts = {lab: sum(1 for a, _ in axes if a == lab) for lab in sizes}
    assert basis.dim == math.prod(sizes[lab] ** (k - 1) for lab, k in counts.items())


def test_rotation_by_any_generator_and_equivariance():
    n = 9
    G = PermutationGroup([(np.arange(n) + 2) % n], n, name="Z9 by 2")
    assert G.is_regular_cyclic
    basis = _same_as_orbit_search(V(G) >> V(G))
    W = basis.dense()
    P = G.discrete_generators[0]
    for k in range(basis.dim):
        M = W[:, k].reshape(n, n)
        np.testing.assert_allclose(P @ M @ P.T, M, atol=1e-12)


def test_not_cyclic():
    assert not PermutationGroup([(np.arange(6) + 2) % 6], 6, name="not generating").is_regular_cyclic
    assert not DihedralPerm(5).is_regular_cyclic and not S(4).is_regular_cyclic and not Z(1).is_regular_cyclic
    mono = (V(Z(4)) * V(S(3))).monomials[0]
    assert not is_cyclic_block(mono)
    with pytest.raises(ValueError, match="cyclic"):
        solve_cyclic(mono)
    assert solve_block(mono, cache=False).method == "orbit"


def test_huge_grid_is_not_enumerated():
    # periodic 2-D convolution kernels of a 256 x 256 image layer: 65536 x 65536 weights
    H = W = 256
    img = V(Z(H, label="h")) * V(Z(W, label="w"))
    basis = solve_basis(img >> img, cache=False)
    ((_, b),) = basis.blocks
    assert basis.dim == H * W
    assert "orbit_of" not in b.__dict__  # nothing of the block's size was built
    assert b.labels[:2] == [(0, 0, 0, 0), (0, 0, 0, 1)]
    assert b.labels[W] == (0, 0, 1, 0)
