"""Closed-form bases for tensor products of regular cyclic reps (translations).

Z(n) acts on index tuples [n]^k by adding one t to every index (mod n), so a tuple's orbit is
fixed by its index differences to the first axis: n^(k-1) orbits. For a product of cyclic
groups with each axis in one factor, the orbits are products of one difference class per
factor (e.g. Z(H) x Z(W) on an H x W image gives the kernels of periodic 2-D convolutions).
Solving costs O(number of axes): the block is never enumerated (see :class:`CyclicBasis`).
"""

from __future__ import annotations

from ..reps.monomial import Monomial
from .basis import CyclicBasis


def is_cyclic_block(mono: Monomial) -> bool:
    """Every axis is the regular rep of one cyclic group Z(n) (the closed form applies).
    (Only a single permutation group can be regular cyclic, so a leaf of a direct product,
    whose rep is a sum over the factors, never is.)"""
    for leaf in mono.leaves:  # plain loops: this check runs on every solve of a small block
        if not (leaf._is_defining and leaf.G.is_regular_cyclic):
            return False
    return bool(mono.leaves)


def solve_cyclic(mono: Monomial) -> CyclicBasis:
    if not is_cyclic_block(mono):
        bad = [str(leaf) for leaf in mono.leaves if not (leaf._is_defining and leaf.G.is_regular_cyclic)]
        raise ValueError(
            f"the cyclic solver needs regular reps of Z(n) groups; block has {', '.join(bad) or 'no axes'}"
        )
    return CyclicBasis(mono.shape, mono.axis_groups()[1])
