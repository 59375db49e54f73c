"""sparsify_basis: same span, entries 0 / +-1 where the span allows (EMLP's check on SO(3) T3),
column echelon form otherwise."""

import numpy as np
import pytest

from eqsolve.groups import S, SO, SU, Z, RubiksCube
from eqsolve.reps import T, V, sparsify_basis


def same_span(A, B):
    r = A.shape[1]
    return B.shape[1] == r and np.linalg.matrix_rank(np.hstack([A, B]), tol=1e-8) == r


def test_emlp_utilities_check_on_so3_t3():
    W = V(SO(3))
    Q = (W**2 >> W).equivariant_basis()
    SQ = sparsify_basis(Q)
    A = SQ @ (1 + np.arange(SQ.shape[-1]))
    nunique = len(np.unique(np.abs(A)))
    assert nunique in (SQ.shape[-1], SQ.shape[-1] + 1), "Sparsify failes on SO(3) T3"  # EMLP's assertion
    assert same_span(np.asarray(Q), SQ)


@pytest.mark.parametrize(
    "rep", [V(S(6)) ** 2 >> V(S(6)) ** 2, V(Z(6)) >> V(Z(6)), V(RubiksCube()) >> V(RubiksCube()), T(3, 0, SO(3))]
)
def test_sign_patterns_with_disjoint_supports(rep):
    Q = np.asarray(rep.equivariant_basis())
    SQ = sparsify_basis(Q)
    assert set(np.unique(SQ)) <= {-1.0, 0.0, 1.0}
    assert np.all((np.abs(SQ) > 0).sum(axis=1) <= 1)  # disjoint supports
    assert same_span(Q, SQ)


def test_echelon_form_when_supports_overlap():
    Q = np.asarray(T(4, 0, SO(3)).equivariant_basis())  # the 3 pairings delta_ij delta_kl overlap
    SQ = sparsify_basis(Q)
    assert same_span(Q, SQ) and np.abs(SQ).max() == 1.0
    assert (SQ != 0).sum() <= (np.abs(Q) > 1e-9).sum()


def test_refusals():
    with pytest.raises(TypeError, match="complex"):
        sparsify_basis(T(1, 1, SU(2)).equivariant_basis())
    with pytest.raises(ValueError, match="shape"):
        sparsify_basis(np.ones(3))
