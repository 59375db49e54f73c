"""EMLP's names on groups and reps: G.d, G.samples(n), G.num_constraints(), G.is_orthogonal,
G.is_permutation (also recognised for groups given by permutation matrices), rep.rho_dense."""

import numpy as np

from eqsolve.groups import O, S, SO, Group, Lorentz, RubiksCube, Z
from eqsolve.reps import T, V


def test_group_attributes_as_emlp_names_them():
    G = SO(3)
    assert G.d == 3 and G.num_constraints() == 3 and G.is_orthogonal and not G.is_permutation
    assert O(3).num_constraints() == 4 and S(5).num_constraints() == 2 and RubiksCube().num_constraints() == 6
    assert not Lorentz().is_orthogonal and Z(4).is_permutation and Z(4).is_orthogonal
    gs = G.samples(5)
    assert gs.shape == (5, 3, 3) and np.allclose(np.einsum("nij,nkj->nik", gs, gs), np.eye(3))
    # a group given by 0/1 matrices is a permutation group (EMLP sets is_permutation the same way)
    P = np.eye(4)[[1, 2, 3, 0]].T
    H = Group(P[None], None, name="C4 on 4 points")
    assert H.is_permutation and np.array_equal(H.perm_generators[0], [1, 2, 3, 0])
    assert (V(H) >> V(H)).equivariant_basis().methods == {"orbit"}
    assert not Group(-np.eye(2)[None]).is_permutation


def test_rho_dense_is_rho():
    G = SO(3)
    rep = T(2, 0, G) + V(G)
    g = G.samples(1, seed=2)[0]
    assert np.allclose(rep.rho_dense(g), rep.rho(g))
    A = G.lie_algebra[1]
    assert np.allclose(rep.drho_dense(A), rep.drho(A))
