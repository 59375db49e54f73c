"""Witnesses for permutations outside a declared permutation group."""

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import A, DihedralPerm, Permutation, RubiksCube, S, Z, perm_matrix
from eqsolve.reps import T


@pytest.mark.parametrize(
    "G",
    [Z(6), DihedralPerm(5), Permutation([[1, 0, 2, 3, 4, 5], [0, 1, 3, 2, 4, 5], [0, 1, 2, 3, 5, 4]]), RubiksCube()],
    ids=str,
)
def test_witnesses(G):
    report = verify.permutation_group(G, n_illegal=4, n_legal=3, seed=3)
    assert report.passed, str(report)
    W = report.W
    assert report.illegal and report.legal
    for w in report.illegal:
        assert not G.contains(w.perm)
        P = perm_matrix(w.perm)
        x = w.x
        assert x.sum() == 1 and x[w.index] == 1
        assert np.linalg.norm(P @ W @ x - W @ P @ x) > 1e-6
    for w in report.legal:
        assert G.contains(w.perm)
        P = perm_matrix(w.perm)
        assert np.abs(P @ W - W @ P).max() < 1e-12


def test_user_permutations_and_tensor_rep():
    G = Z(4)
    rep = T(2, G=G)
    perms = [[1, 2, 3, 0], [1, 0, 2, 3], [0, 1, 3, 2]]
    report = verify.permutation_group(G, rep, rep, perms=perms)
    assert [w.legal for w in report.legal + report.illegal] == [True, False, False]
    assert report.passed


def test_indistinguishable_reps_are_reported():
    G = A(4)
    weak = verify.permutation_group(G, n_illegal=3, n_legal=2)  # V -> V cannot tell A(4) from S(4)
    assert not weak.passed and len(weak.undetected) == 3
    strong = verify.permutation_group(G, T(2, G=G), T(2, G=G), n_illegal=3, n_legal=2)
    assert strong.passed and not strong.undetected


def test_full_symmetric_group_has_no_illegal():
    report = verify.permutation_group(S(4))
    assert report.illegal == [] and report.passed
