"""EMLP's meaning of a product group's defining rep: V(G1 * G2) = V1 ⊗ V2 (the sum form is
explicit: V(G1) + V(G2), or Vsum(G))."""

import numpy as np
import pytest

from eqsolve.groups import O, S, SO, Z
from eqsolve.reps import T, V, Vsum


def test_V_of_Z3_times_Z4_is_the_regular_rep_as_in_emlp():
    G = Z(3) * Z(4)
    assert G.d == 12 and V(G).size() == 12
    Q = (V(G) >> V(G)).equivariant_basis()
    assert Q.dense().shape == (144, 12)  # EMLP's 144 x 12: the 2-D circular convolutions
    assert V(G) == V(Z(3)) * V(Z(4))
    # the direct sum stays available, explicitly
    Qs = (Vsum(G) >> Vsum(G)).equivariant_basis()
    assert Qs.dense().shape == (49, 9) and Vsum(G) == V(Z(3)) + V(Z(4))


def test_product_elements_are_kronecker_products():
    G1, G2 = SO(3), S(4)
    G = G1 * G2
    g1, g2 = G1.samples(1, seed=1)[0], G2.samples(1, seed=2)[0]
    g = np.kron(g1, g2)
    assert np.allclose(V(G).rho(g), g)
    # a rep whose action depends on each factor separately: T(2)(G1) ⊗ V(G2)
    rep = T(2)(G1) * V(G2)
    expected = np.kron(np.kron(g1, g1), g2)
    assert np.allclose(rep.rho(g), expected) and np.allclose(rep.rho_dense({G1: g1, G2: g2}), expected)
    assert np.allclose(G.discrete_generators[0], np.kron(np.eye(3), G2.discrete_generators[0]))
    for h in G.samples(3, seed=4):
        parts = G.split(h)
        assert np.allclose(np.kron(parts[G1], parts[G2]), h)
        assert np.isclose(np.linalg.det(parts[G1]), 1)  # the SO(3) factor is recovered in SO(3)
    A = G.lie_algebra[0]
    assert np.allclose(A, np.kron(G1.lie_algebra[0], np.eye(4)))
    assert np.allclose(rep.drho_dense(A), np.kron(T(2)(G1).drho(G1.lie_algebra[0]), np.eye(4)))
    with pytest.raises(ValueError, match="not a Kronecker product"):
        G.split(np.random.default_rng(0).normal(size=(12, 12)))


def test_product_basis_dimensions_multiply():
    G = O(2) * S(3)
    rep = V(G) >> V(G)
    # Hom_{O(2)}(V, V) = 1 and Hom_{S(3)}(V, V) = 2, so 1 * 2 on the tensor product
    b = rep.equivariant_basis()
    assert b.dim == 2
    for h in G.samples(3, seed=0):
        R = rep.rho(h)
        assert np.abs(R @ b.dense() - b.dense()).max() < 1e-8
