"""Exact bases for tensor reps of wreath products S(m) ≀ S(n) (sets of sets) by two-level
equality patterns.

S(m) ≀ S(n) acts on n blocks of m points. Two index tuples (points (b_a, p_a), a = 1..k) are in
one orbit exactly when they have the same *block pattern* (which axes share a block: a set
partition of the axes into at most n parts) and, inside every part, the same *position
pattern* (which of those axes share a position: at most m parts). So each coordinate's orbit
label is read off directly -- two restricted-growth strings -- with no orbit search; the count
of orbits is sum over block patterns of prod over parts of the truncated Bell numbers
(:func:`wreath_dimension`), which needs no enumeration at all.

The basis is an :class:`OrbitBasis` numbered like the orbit solver's (orbits by smallest
coordinate), so the runtime's orbit gathers apply to it unchanged.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import OrbitBasis

__all__ = ["is_wreath_block", "solve_wreath", "wreath_dimension"]


def _wreath_of(leaf):
    G = leaf.G
    inner, outer = getattr(G, "inner", None), getattr(G, "outer", None)
    if inner is None or outer is None:
        return None
    return G if inner.is_full_symmetric and outer.is_full_symmetric else None


def is_wreath_block(mono: Monomial) -> bool:
    """Every axis is the defining rep of one and the same S(m) ≀ S(n)."""
    if not mono.leaves:
        return False
    first = None
    for leaf in mono.leaves:
        if not leaf._is_defining:
            return False
        G = _wreath_of(leaf)
        if G is None or (first is not None and G != first):
            return False
        first = G
    return True


def _bell_upto(k: int, m: int) -> int:
    @lru_cache(maxsize=None)
    def s2(a, b):
        if a == b:
            return 1
        if b == 0 or b > a:
            return 0
        return b * s2(a - 1, b) + s2(a - 1, b - 1)

    return sum(s2(k, j) for j in range(0, min(k, m) + 1)) if k else 1


def wreath_dimension(m: int, n: int, k: int) -> int:
    """Number of orbits of S(m) ≀ S(n) on k-tuples of its n*m points (= dim of the invariants
    of V^{⊗k}), without enumerating anything."""

    @lru_cache(maxsize=None)
    def count(left: int, parts: int) -> int:
        if left == 0:
            return 1
        if parts == 0:
            return 0
        return sum(math.comb(left - 1, e) * _bell_upto(1 + e, m) * count(left - 1 - e, parts - 1) for e in range(left))

    return count(k, n)


def solve_wreath(mono: Monomial) -> OrbitBasis:
    if not is_wreath_block(mono):
        raise ValueError(
            f"the wreath solver needs defining reps of one S(m)≀S(n); block has "
            f"{', '.join(str(leaf) for leaf in mono.leaves)}"
        )
    G = mono.leaves[0].G
    m = G.inner.d
    k = len(mono.shape)
    size = mono.size
    check_fits(size * 8 * (2 * k + 4), f"wreath labels of a block of shape {mono.shape} (size {size})")
    idx = np.indices(mono.shape).reshape(k, -1)  # (k, size) point of every axis
    block, pos = idx // m, idx % m
    code = np.zeros(size, dtype=np.int64)
    for a in range(k):  # restricted-growth strings: first earlier axis with the same block / point
        first_b = np.full(size, a, dtype=np.int64)
        first_p = np.full(size, a, dtype=np.int64)
        for c in range(a - 1, -1, -1):
            same_b = block[c] == block[a]
            first_b = np.where(same_b, c, first_b)
            first_p = np.where(same_b & (pos[c] == pos[a]), c, first_p)
        code = (code * k + first_b) * k + first_p
    _, first_index, inverse = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first_index)  # number orbits by their smallest coordinate, as the orbit solver
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    basis = OrbitBasis(rank[inverse.reshape(-1)], mono.shape, np.sort(first_index))
    basis.method = "wreath"
    return basis
