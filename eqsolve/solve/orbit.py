"""Exact orbit solver for permutation reps (no SVD).

For a block on which every generator permutes coordinates, the invariant vectors are exactly
the functions constant on orbits. Orbits are the connected components of the graph with an
edge i -> g(i) for every coordinate i and generator g (scipy's union-find on a sparse graph).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import OrbitBasis


def block_generator_perms(mono: Monomial) -> list[np.ndarray]:
    """Flat index permutations (size,) of the block for every discrete generator."""
    out = []
    if not mono.is_permutation:
        bad = [str(leaf) for leaf in mono.leaves if not leaf._permutation_leaf]
        raise ValueError(f"the orbit solver needs permutation reps; {', '.join(bad)} do not permute coordinates")
    for f in mono.groups:
        if not f.is_permutation:
            raise ValueError(f"the orbit solver needs permutation groups; {f} is not one")
        for p in f.perm_generators:
            out.append(mono.perm_action({f: p}))
    return out


SMALL_ORBIT_SIZE = 50_000  # up to this block size, orbits by label propagation in numpy


def _orbits_by_propagation(perms: list[np.ndarray], m: int, max_rounds: int = 64) -> np.ndarray | None:
    """Label of each coordinate = the smallest coordinate of its orbit, by min-label
    propagation along every generator and its inverse with pointer jumping; None if it has
    not settled after ``max_rounds`` rounds (the caller then uses connected components)."""
    both = list(perms)
    for p in perms:
        inv = np.empty_like(p)
        inv[p] = np.arange(m)
        both.append(inv)
    labels = np.arange(m)
    for _ in range(max_rounds):
        new = labels
        for p in both:
            new = np.minimum(new, new[p])
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new
    return None


def solve_orbit(mono: Monomial) -> OrbitBasis:
    m = mono.size
    gens = mono.groups
    need = m * 8 * (4 + 2 * sum(len(f.perm_generators) for f in gens))
    if need > 2**26:  # reading the free memory costs more than small solves themselves
        check_fits(
            need,
            f"orbit solve of a block of shape {mono.shape} (size {m})",
            "for S(n) factors use method='pattern', which never enumerates index tuples",
        )
    perms = block_generator_perms(mono)
    if not perms:
        return OrbitBasis(np.arange(m), mono.shape)
    if m <= SMALL_ORBIT_SIZE:
        labels = _orbits_by_propagation(perms, m)
        if labels is not None:
            # labels[i] = smallest coordinate of i's orbit; number orbits in that order
            is_rep = labels == np.arange(m)
            rank = np.cumsum(is_rep) - 1
            return OrbitBasis(rank[labels], mono.shape, np.flatnonzero(is_rep))
    rows = np.concatenate([np.arange(m)] * len(perms))
    cols = np.concatenate(perms)
    graph = scipy.sparse.coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(m, m)).tocsr()
    _, comp = connected_components(graph, directed=True, connection="weak")
    # renumber components by their smallest coordinate, so the order is canonical
    first = np.full(comp.max() + 1, m, dtype=np.int64)
    np.minimum.at(first, comp, np.arange(m))
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return OrbitBasis(rank[comp], mono.shape, first[order])
