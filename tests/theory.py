"""Independent counts of invariant dimensions, derived without eqsolve's solvers.

- Permutation groups: Burnside, dim Inv(V^{⊗k}) = (1/|G|) sum_g fix(g)^k, over group elements
  enumerated by sympy.
- S(n): set partitions of k axes into at most n blocks, sum_j Stirling2(k, j) (recurrence).
- Compact connected Lie groups: Weyl integration of the character chi_V^k over the torus,
  by quadrature (SO(2), SO(3), SO(4) = (SU(2) x SU(2))/Z2).
- O(n) with 2n >= k: the number of perfect matchings (k-1)!! (Brauer); 0 for odd k.
- Sp(1) = SL(2): Catalan(k/2) (invariants of spin-1/2^{⊗k}).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def stirling2(k: int, j: int) -> int:
    if k == j:
        return 1
    if j == 0 or j > k:
        return 0
    return j * stirling2(k - 1, j) + stirling2(k - 1, j - 1)


def truncated_bell(k: int, n: int) -> int:
    """Number of set partitions of k items into at most n blocks."""
    return sum(stirling2(k, j) for j in range(0, n + 1)) if k else 1


def burnside_tensor(perm_group_generators: list[list[int]], n: int, k: int) -> int:
    """dim of the invariants of V^{⊗k} for the permutation group generated on n points."""
    from sympy.combinatorics import Permutation, PermutationGroup
    gens = [Permutation(g) for g in perm_group_generators] or [Permutation(list(range(n)))]
    G = PermutationGroup(gens)
    total = 0
    order = 0
    for g in G.generate():
        fix = sum(1 for i in range(n) if g.array_form[i] == i) if g.size == n else n - len(g.support())
        total += fix ** k
        order += 1
    assert total % order == 0
    return total // order


def double_factorial(k: int) -> int:
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def o_n_tensor(k: int, n: int) -> int:
    assert 2 * n >= k, "Brauer count only valid for 2n >= k"
    return 0 if k % 2 else double_factorial(k - 1)


def _circle_mean(f, m: int = 1024) -> float:
    """(1/2pi) * integral of a smooth 2pi-periodic f over one period (trapezoid: spectrally exact)."""
    t = np.arange(m) * (2 * np.pi / m)
    return float(np.mean(f(t)))


def so2_tensor(k: int) -> int:
    return round(_circle_mean(lambda t: (2 * np.cos(t)) ** k))


def so3_tensor(k: int) -> int:
    return round(_circle_mean(lambda t: (1 + 2 * np.cos(t)) ** k * (1 - np.cos(t))))


def su2_spin_half(k: int) -> int:
    return round(2 * _circle_mean(lambda t: (2 * np.cos(t)) ** k * np.sin(t) ** 2))


def so4_tensor(k: int) -> int:
    """SO(4) and, by Zariski density, SO+(1,3) and SO(1,3): V = (1/2, 1/2)."""
    return su2_spin_half(k) ** 2


def catalan(j: int) -> int:
    return math.comb(2 * j, j) // (j + 1)
