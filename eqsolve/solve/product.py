"""Blocks of direct products that factor: solve each group factor alone, then take products.

When every axis of a block belongs to exactly one factor of G1 x G2 x ... (e.g. the 3x3
matrices of S(3) x SO(3): rows permuted, columns rotated), the block is the tensor product
W_1 ⊠ W_2 ⊠ ... of one rep per factor, with the axes interleaved, and its invariants are
exactly Inv(W_1) ⊗ Inv(W_2) ⊗ ... . So each factor's sub-block is solved alone (pattern, orbit,
krylov or dense, whatever suits it; identical sub-blocks are cached) and the basis is the
Kronecker product of their bases with the axes put back in place. Orthonormal by construction.
"""

from __future__ import annotations

import math

import numpy as np

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import DenseBasis
from .constraints import block_constraints, residuals


def factor_axes(mono: Monomial) -> list[tuple] | None:
    """[(factor, axes)] when every leaf belongs to one factor and at least two factors act;
    None otherwise."""
    if any(len(leaf.G.factors) != 1 for leaf in mono.leaves):
        return None
    groups = mono.groups
    if len(groups) < 2:
        return None
    return [(f, tuple(j for j, leaf in enumerate(mono.leaves) if leaf.G.factors[0] == f)) for f in groups]


def is_product_block(mono: Monomial) -> bool:
    """The block factors over two or more groups, not all of them permutation groups (all-
    permutation blocks are cheaper by orbits or patterns)."""
    parts = factor_axes(mono)
    return parts is not None and not mono.is_permutation


def sub_monomial(mono: Monomial, axes: tuple[int, ...]) -> Monomial:
    leaves = tuple(mono.leaves[j] for j in axes)
    shape = [leaf.size() for leaf in leaves]
    strides = tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))
    return Monomial(leaves, 0, strides)


def solve_product(mono: Monomial, solve_sub, with_residuals: bool = True) -> DenseBasis:
    """Basis of a factoring block from the bases of its per-factor sub-blocks.

    Args:
        solve_sub: Monomial -> Basis, used for each factor's sub-block.
    """
    parts = factor_axes(mono)
    if parts is None:
        raise ValueError(f"block {mono.shape} does not factor over the groups {mono.groups}")
    order: list[int] = []
    acc = np.ones((1, 1))
    for _, axes in parts:
        sub = solve_sub(sub_monomial(mono, axes))
        Q = sub.dense()
        acc = np.einsum("ai,bj->abij", acc, Q).reshape(acc.shape[0] * Q.shape[0], acc.shape[1] * Q.shape[1])
        order.extend(axes)
        if acc.shape[1] == 0:
            break
    m, n = mono.size, acc.shape[1]
    if n == 0:
        Q = np.zeros((m, 0))
    else:
        if m * n > 4_000_000:
            check_fits(2 * m * n * 8, f"the product basis of a block of shape {mono.shape} ({m} x {n})")
        shape = mono.shape
        T = acc.reshape(tuple(shape[j] for j in order) + (n,))
        Q = np.ascontiguousarray(np.transpose(T, tuple(np.argsort(order)) + (len(order),))).reshape(m, n)
    res = residuals(block_constraints(mono), Q) if with_residuals else np.zeros(n)
    return DenseBasis(Q, res, method="product")
