"""Closed-form bases for tensor products of defining reps of symmetric groups.

The orbits of S(n) on index tuples [n]^k are the equality patterns of the tuple: the set
partitions of the k axes with at most n blocks. For a product S(n_1) x S(n_2) x ... acting on
a tensor whose axes each belong to one factor, the orbits are products of one partition per
factor. So the basis is enumerated from partitions of the *axes* (Bell-many), never from the
n^k index tuples: a 10^12-entry layer of S(1000) x S(1000) is solved in microseconds.
"""

from __future__ import annotations

from typing import Iterator

from ..reps.monomial import Monomial
from .basis import PatternBasis, PatternLabel


def set_partitions(items: tuple[int, ...], max_blocks: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    """All set partitions of ``items`` into at most ``max_blocks`` blocks, each a tuple of
    blocks in order of first element (restricted growth strings)."""
    items = tuple(items)
    if not items:
        yield ()
        return

    def rec(i: int, blocks: list[list[int]]):
        if i == len(items):
            yield tuple(tuple(b) for b in blocks)
            return
        for b in blocks:
            b.append(items[i])
            yield from rec(i + 1, blocks)
            b.pop()
        if len(blocks) < max_blocks:
            blocks.append([items[i]])
            yield from rec(i + 1, blocks)
            blocks.pop()

    yield from rec(0, [])


def is_pattern_block(mono: Monomial) -> bool:
    """Every axis is the defining rep of a full symmetric group (the pattern solver applies)."""
    for leaf in mono.leaves:  # never true for a product's leaf (its rep sums the factors)
        if not (leaf._is_defining and leaf.G.is_full_symmetric):
            return False
    return True


def solve_pattern(mono: Monomial) -> PatternBasis:
    if not is_pattern_block(mono):
        bad = [str(leaf) for leaf in mono.leaves if not (leaf._is_defining and leaf.G.is_full_symmetric)]
        raise ValueError(f"the pattern solver needs defining reps of S(n) groups; block has {', '.join(bad)}")
    groups, axis_group = mono.axis_groups()
    per_group = []
    for gi, g in enumerate(groups):
        axes = tuple(j for j, a in enumerate(axis_group) if a == gi)
        per_group.append(list(set_partitions(axes, g.d)))
    labels = [PatternLabel(tuple(groups), ())]
    for parts in per_group:
        labels = [PatternLabel(lab.groups, lab.blocks + (p,)) for lab in labels for p in parts]
    return PatternBasis(mono.shape, tuple(axis_group), tuple(groups), labels)
