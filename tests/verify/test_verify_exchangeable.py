"""Theorem 5.1, Propositions 5.2/5.3 and the jointly exchangeable case."""

import itertools
import math

import numpy as np
import pytest

from eqsolve import verify
from eqsolve.groups import perm_matrix


def _in_product(perm, shape):
    """Independent membership test: a permutation of the flattened tensor is in
    S(N1) x ... x S(ND) iff it acts axis by axis."""
    idx = np.array(list(itertools.product(*[range(n) for n in shape])))
    img = idx[perm]  # multi-index of the image of each entry
    for i in range(len(shape)):
        maps = {}
        for a, b in zip(idx[:, i], img[:, i]):
            if maps.setdefault(a, b) != b:
                return False
    return True


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (1, 5), (3, 1, 4), (2, 2)])
def test_theorem_5_1(shape):
    report = verify.exchangeable(shape, seed=1)
    assert report.passed, str(report)
    active = [n for n in shape if n >= 2]
    assert report.dim == report.expected_dim == 2 ** len(active)
    assert set(report.counts.values()) == {report.dim}
    fixed = {i for i, n in enumerate(shape) if n == 1}
    want = {
        tuple(sorted(set(s) | fixed))
        for r in range(len(shape) + 1)
        for s in itertools.combinations([i for i, n in enumerate(shape) if n >= 2], r)
    }
    assert set(report.subsets) == want and len(report.subsets) == len(want)
    assert report.span_error < 1e-10 and report.label_error < 1e-10
    assert all(e > 1e-3 for e in report.untie_errors.values())


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (3, 1, 4)])
def test_illegal_permutation_witnesses_recomputed(shape):
    report = verify.exchangeable(shape, seed=2, n_illegal=5, n_legal=4)
    W = report.W
    size = math.prod(shape)
    assert len(report.illegal) == 5
    for w in report.illegal:
        assert not _in_product(w.perm, shape)
        P = perm_matrix(w.perm)
        x = np.zeros(size)
        x[w.index] = 1.0
        assert np.linalg.norm(P @ W @ x - W @ P @ x) > 1e-6
        assert np.allclose(P @ W @ x, w.GWx) and np.allclose(W @ P @ x, w.WGx)
    for w in report.legal:
        assert _in_product(w.perm, shape)
        P = perm_matrix(w.perm)
        assert np.abs(P @ W - W @ P).max() < 1e-12


def test_no_illegal_permutations_when_group_is_everything():
    report = verify.exchangeable((1, 5))
    assert report.illegal == []
    assert report.check("(c) illegal").passed is None
    assert report.passed


@pytest.mark.parametrize("n,dim", [(3, 14), (4, 15), (5, 15)])
def test_joint(n, dim):
    report = verify.jointly_exchangeable(n)
    assert report.passed, str(report)
    assert report.dim == dim == report.formula_dim
    assert set(report.counts.values()) == {dim}
    assert report.paper_remark_dim == 3 and report.transpose_distance > 0.5


def test_square_shape_includes_joint_and_table():
    report = verify.exchangeable((3, 3))
    assert report.joint is not None and report.joint.dim == 14
    text = str(report)
    assert "Theorem 5.1" in text and "(d) joint" in text and "W_{0,1}" in text


def test_bad_shape():
    with pytest.raises(ValueError):
        verify.exchangeable((0, 3))
    with pytest.raises(ValueError, match="stops"):
        verify.exchangeable((30, 30))
