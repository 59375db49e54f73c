"""SO(3) tensor powers by Clebsch-Gordan coupling: dimensions against the Weyl-integration count of
tests/theory.py, orthonormality, invariance under the whole group (generators and samples), and the
same span as the weight-reduction (krylov) solver."""

import numpy as np
import pytest

from eqsolve.groups import SO
from eqsolve.reps import T, V
from eqsolve.solve import solve_basis, solve_block
from eqsolve.solve.so3 import so3_invariant_basis, so3_invariant_count
from theory import so3_tensor


@pytest.mark.parametrize("k", range(1, 9))
def test_dimensions_and_orthonormality(k):
    Q = so3_invariant_basis(k)
    assert Q.shape == (3**k, so3_tensor(k)) and so3_invariant_count(k) == so3_tensor(k)
    if Q.shape[1]:
        assert np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() < 1e-12


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_invariant_under_the_group_and_same_span_as_krylov(k):
    rep = T(k, 0, SO(3))
    b = solve_block(rep.monomials[0], "so3", cache=False)
    Q = b.dense()
    G = SO(3)
    for g in G.samples(3, seed=k):
        assert np.abs(rep.rho(g) @ Q - Q).max() < 1e-12
    assert b.residuals.max() < 1e-12
    ref = solve_block(rep.monomials[0], "krylov", cache=False).dense()
    assert np.linalg.norm(ref - Q @ (Q.T @ ref)) < 1e-8


def test_auto_uses_it_for_maps_between_powers():
    b = solve_basis(V(SO(3)) ** 3 >> V(SO(3)) ** 3, cache=False)  # a T6 block
    assert b.methods == {"so3"} and b.dim == so3_tensor(6)
    # the Levi-Civita tensor is the T3 invariant
    eps = so3_invariant_basis(3)[:, 0].reshape(3, 3, 3)
    eps = eps / eps[0, 1, 2]
    assert eps[1, 2, 0] == pytest.approx(1) and eps[0, 2, 1] == pytest.approx(-1) and abs(eps[0, 0, 1]) < 1e-15
