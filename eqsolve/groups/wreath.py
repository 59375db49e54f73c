"""Wreath products of permutation groups: ``WreathProduct(G1, G2)`` = G1 ≀ G2.

G1 permutes m points, G2 permutes n points. The wreath product acts on n blocks of m points
(point (i, j) = block i, position j, index i*m + j): G1 acts independently inside every block
(the base group G1^n) and G2 permutes the blocks. ``WreathProduct(S(m), S(n))`` is the symmetry
of a set of n sets of m elements each (hierarchical exchangeability); its order is m!^n n!.
EMLP declares ``WreathProduct`` but leaves it unimplemented.
"""

from __future__ import annotations

import numpy as np

from .base import Group
from .permutation import GENERATOR_BYTES_MAX, PermutationGroup


class WreathGroup(PermutationGroup):
    """G1 ≀ G2 as a permutation group on n*m points (attributes ``inner`` = G1, ``outer`` = G2)."""

    def __init__(self, inner: PermutationGroup, outer: PermutationGroup, label: str | None = None):
        m, n = inner.d, outer.d
        n_gens = n * len(inner.perm_generators) + len(outer.perm_generators)
        if 8 * n * m * max(n_gens, 1) > GENERATOR_BYTES_MAX:
            from ..memory import TooLargeError, human

            raise TooLargeError(
                f"WreathProduct({inner}, {outer}) would need {human(8 * n * m * n_gens)} for "
                f"{n_gens} generators of {n * m} points; use smaller groups"
            )
        gens = []
        base = np.arange(n * m).reshape(n, m)
        for i in range(n):  # G1 inside block i (all blocks: correct for any G2, transitive or not)
            for p in inner.perm_generators:
                q = base.copy()
                q[i] = i * m + p
                gens.append(q.reshape(-1))
        for p in outer.perm_generators:  # G2 moves block i to block p[i], positions kept
            gens.append((p[:, None] * m + np.arange(m)[None, :]).reshape(-1))
        self.inner, self.outer = inner, outer
        super().__init__(gens, n * m, name=f"{inner}≀{outer}", label=label, key=("Wreath", inner.key, outer.key))

    def order(self) -> int:
        return self.inner.order() ** self.outer.d * self.outer.order()


def WreathProduct(G1: Group, G2: Group, label: str | None = None) -> WreathGroup:
    """G1 ≀ G2 for permutation groups G1 (on m points) and G2 (on n points), acting on n*m
    points (n blocks of m). ``WreathProduct(S(m), S(n))``: sets of sets."""
    for name, G in (("G1", G1), ("G2", G2)):
        if not isinstance(G, PermutationGroup) or len(G.factors) != 1:
            raise TypeError(f"WreathProduct needs two permutation groups; {name} = {G!r} is not one")
    return WreathGroup(G1, G2, label=label)
