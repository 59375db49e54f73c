"""Disk cache faults: truncated, bit-flipped, wrong-basis and old-format entries are recomputed
with a warning, never served or raised."""

from __future__ import annotations

import numpy as np
import pytest

from eqsolve.groups import SO
from eqsolve.reps import T
from eqsolve.solve import cache
from eqsolve.solve.api import choose_method
from eqsolve.solve.basis import DenseBasis


@pytest.fixture
def disk(tmp_path):
    cache.clear_memory()
    cache.set_cache_dir(tmp_path)
    yield tmp_path
    cache.set_cache_dir(None)
    cache.clear_memory()


def _rep_and_key():
    rep = T(3, 0, SO(3))  # one 27-entry block, solved numerically (so it goes to disk)
    (mono,) = rep.monomials
    return rep, (mono.key, choose_method(mono))


def _solve_fresh(rep):
    cache.clear_memory()
    return rep.equivariant_basis().dense()


def _assert_invariant(rep, Q):
    assert Q.shape == (27, 1)  # the one SO(3)-invariant of T3: the Levi-Civita tensor
    eps = np.zeros((3, 3, 3))
    for (i, j, k), s in {(0, 1, 2): 1, (1, 2, 0): 1, (2, 0, 1): 1, (0, 2, 1): -1, (2, 1, 0): -1, (1, 0, 2): -1}.items():
        eps[i, j, k] = s
    assert abs(abs(eps.ravel() @ Q[:, 0]) - np.sqrt(6)) < 1e-8


def test_truncated_entry_is_recomputed_with_a_warning(disk):
    rep, key = _rep_and_key()
    good = rep.equivariant_basis().dense()
    path = cache.entry_path(key)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.warns(cache.CacheWarning, match="unreadable"):
        again = _solve_fresh(rep)
    assert np.allclose(again, good)
    cache.clear_memory()
    assert cache._read(path, key)[0] is not None  # the entry was rewritten whole


def test_bit_flip_fails_the_checksum(disk):
    rep, key = _rep_and_key()
    rep.equivariant_basis()
    path = cache.entry_path(key)
    with np.load(path) as d:
        fields = {k: d[k] for k in d.files}
    fields["Q"] = fields["Q"].copy()
    fields["Q"][0, 0] += 1e-3
    np.savez(path, **fields)
    with pytest.warns(cache.CacheWarning, match="checksum"):
        _assert_invariant(rep, _solve_fresh(rep))


def test_wrong_basis_under_the_right_key_is_not_served(disk):
    rep, key = _rep_and_key()
    wrong = np.linalg.qr(np.random.default_rng(0).normal(size=(27, 1)))[0]
    cache._write(key, DenseBasis(wrong))  # right key, valid checksum, wrong numbers
    with pytest.warns(cache.CacheWarning, match="not invariant"):
        Q = _solve_fresh(rep)
    _assert_invariant(rep, Q)
    cache.clear_memory()
    basis, _ = cache._read(cache.entry_path(key), key)
    assert np.allclose(basis.Q, Q)  # overwritten with the right basis


def test_format_version_is_part_of_the_key(disk, monkeypatch):
    rep, key = _rep_and_key()
    rep.equivariant_basis()
    old = cache.entry_path(key)
    monkeypatch.setattr(cache, "FORMAT_VERSION", cache.FORMAT_VERSION + 1)
    assert cache.entry_path(key) != old
    # an entry of another version that lands on the current name is refused by its content
    monkeypatch.setattr(cache, "FORMAT_VERSION", cache.FORMAT_VERSION - 1)
    with np.load(old) as d:
        fields = {k: d[k] for k in d.files}
    fields["version"] = np.array(1)
    np.savez(old, **fields)
    with pytest.warns(cache.CacheWarning, match="format version 1"):
        _assert_invariant(rep, _solve_fresh(rep))


def test_entry_of_the_previous_layout_is_recomputed(disk):
    rep, key = _rep_and_key()
    Q = rep.equivariant_basis().dense()
    np.savez(cache.entry_path(key), Q=Q, residuals=np.zeros(1), method="dense", key=repr(key))  # no version/checksum
    with pytest.warns(cache.CacheWarning, match="lacks the field"):
        _assert_invariant(rep, _solve_fresh(rep))
