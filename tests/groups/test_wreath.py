"""Wreath products S(m) ≀ S(n) (sets of sets): group structure, and basis dimensions against two
independent counts (Burnside over the enumerated group, and the two-level set-partition count of
tests/theory.py); the wreath solver's labels equal the orbit solver's."""

import math

import numpy as np
import pytest

from eqsolve.groups import A, S, WreathProduct, Z
from eqsolve.reps import T, V
from eqsolve.solve import solve_block
from eqsolve.solve.wreath import wreath_dimension
from theory import burnside_tensor, wreath_tensor


@pytest.mark.parametrize("m,n", [(2, 2), (2, 3), (3, 2), (3, 3), (2, 4)])
def test_dimensions_against_burnside_and_the_two_level_count(m, n):
    G = WreathProduct(S(m), S(n))
    assert G.d == m * n and G.order() == math.factorial(m) ** n * math.factorial(n)
    assert G.sympy_group.order() == G.order()  # the generators generate all of it
    for k in range(1, 5):
        dim = T(k, 0, G).equivariant_basis().dim
        assert dim == wreath_tensor(m, n, k) == wreath_dimension(m, n, k)
        if k <= 3:
            assert dim == burnside_tensor(G.perm_generators.tolist(), m * n, k)


def test_wreath_solver_matches_the_orbit_solver_exactly():
    G = WreathProduct(S(3), S(4))
    for rep in (V(G) >> V(G), T(3, 0, G), V(G) ** 2 >> V(G)):
        mono = rep.monomials[0]
        w, o = solve_block(mono, "wreath", cache=False), solve_block(mono, "orbit", cache=False)
        assert w.method == "wreath" and np.array_equal(w.orbit_of, o.orbit_of)
    b = (V(G) >> V(G)).equivariant_basis()
    # sets of sets: same point, same block (other point), other block
    assert b.dim == 3 and b.methods == {"wreath"}


def test_hierarchical_layer_is_between_flat_and_blockwise_exchangeability():
    m, n = 3, 4
    W = WreathProduct(S(m), S(n))
    flat = S(m * n)  # forgets the blocks
    assert (V(flat) >> V(flat)).equivariant_basis().dim == 2 < (V(W) >> V(W)).equivariant_basis().dim == 3
    assert wreath_dimension(m, n, 4) > T(4, 0, flat).equivariant_basis().dim


def test_other_wreath_products_use_the_orbit_solver():
    G = WreathProduct(Z(3), A(3))
    assert G.order() == 3**3 * 3
    b = (V(G) >> V(G)).equivariant_basis()
    assert b.methods == {"orbit"} and b.dim == burnside_tensor(G.perm_generators.tolist(), 9, 2)
    with pytest.raises(TypeError, match="permutation groups"):
        from eqsolve.groups import SO

        WreathProduct(SO(2), S(3))
