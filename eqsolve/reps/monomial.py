"""Monomials: the invariant coordinate blocks of a rep.

Expanding a rep tree (sums of products of sums ...) gives a list of monomials, each a tensor
product of leaves ``(l_1, ..., l_k)`` (each a :class:`BaseRep` of size d_j). A monomial occupies
the coordinates ``offset + sum_j strides[j] * i_j`` of the parent rep, for multi-indices
``i`` in ``d_1 x ... x d_k`` -- always an affine map, because sums add offsets and products
multiply strides. The group acts on each monomial separately, so the invariant subspace of the
rep is the direct sum of those of its monomials (this is the block splitting).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Monomial:
    """A tensor product of leaves placed at ``offset`` with ``strides`` in the parent rep."""

    leaves: tuple  # BaseRep or user-rep leaves (scalars removed)
    offset: int
    strides: tuple[int, ...]

    @functools.cached_property
    def shape(self) -> tuple[int, ...]:
        return tuple(leaf.size() for leaf in self.leaves)

    @functools.cached_property
    def size(self) -> int:
        return math.prod(self.shape)

    @functools.cached_property
    def key(self):
        """Value key: monomials with equal keys have the same invariant basis."""
        return tuple(leaf.key for leaf in self.leaves)

    @functools.cached_property
    def groups(self) -> list:
        """Distinct factor groups acting on this monomial, in order of appearance."""
        out = []
        for leaf in self.leaves:
            for f in leaf.G.factors:
                if f not in out:
                    out.append(f)
        return out

    @functools.cached_property
    def is_permutation(self) -> bool:
        """Every leaf acts by permuting coordinates (orbit solvers apply)."""
        return all(leaf._permutation_leaf for leaf in self.leaves)

    def axis_groups(self) -> tuple[list, tuple[int, ...]]:
        """(distinct leaf groups in order of first appearance, the index in that list of each
        axis's group): the axis-to-factor map of a block whose axes each carry one group."""
        groups: list = []
        axis_group = []
        for leaf in self.leaves:
            G = leaf.G
            for j, g in enumerate(groups):
                if g is G or g == G:
                    break
            else:
                j = len(groups)
                groups.append(G)
            axis_group.append(j)
        return groups, tuple(axis_group)

    def index_array(self) -> np.ndarray:
        """Flat parent indices, int64 array of shape ``self.shape``."""
        from ..memory import check_fits

        check_fits(self.size * 8, f"index array of a block of shape {self.shape}")
        idx = np.full((), self.offset, dtype=np.int64)
        for d, s in zip(self.shape, self.strides):
            idx = idx[..., None] + s * np.arange(d, dtype=np.int64)
        return idx

    def is_contiguous(self) -> bool:
        expect = 1
        for d, s in zip(reversed(self.shape), reversed(self.strides)):
            if d > 1 and s != expect:
                return False
            expect *= d
        return True

    def gather(self, x: np.ndarray) -> np.ndarray:
        """The block's coordinates of x (parent_size, ...) as (size, ...) in row-major order."""
        if self.is_contiguous():
            return x[self.offset : self.offset + self.size]
        return x[self.index_array().reshape(-1)]

    def scatter_add(self, out: np.ndarray, values: np.ndarray) -> None:
        """out[block coordinates] += values (size, ...)."""
        if self.is_contiguous():
            out[self.offset : self.offset + self.size] += values
        else:
            np.add.at(out, self.index_array().reshape(-1), values)

    # ----------------------------------------------------- matrix-free action
    def leaf_matrices(self, elems: dict, lie: bool = False) -> list[np.ndarray | None]:
        """Per-axis matrices of a group (or Lie-algebra) element given as {factor: matrix};
        ``None`` where the axis is untouched (identity for the group, zero for the algebra)."""
        mats = []
        for leaf in self.leaves:
            if not any(f in elems for f in leaf.G.factors):
                mats.append(None)
            else:
                mats.append(leaf._drho(elems) if lie else leaf._rho(elems))
        return mats

    def apply(self, mats: list, X: np.ndarray, lie: bool = False) -> np.ndarray:
        """Apply the kron (``lie=False``) or Kronecker-sum (``lie=True``) of per-axis matrices
        to X of shape (size, B) without forming it. Returns (size, B)."""
        B = X.shape[1]
        T = X.reshape(self.shape + (B,))
        k = len(self.shape)
        if not lie:
            for j, M in enumerate(mats):
                if M is not None:
                    T = np.moveaxis(np.tensordot(M, T, axes=([1], [j])), 0, j)
            return T.reshape(self.size, B)
        out = np.zeros_like(T)
        for j, M in enumerate(mats):
            if M is not None:
                out += np.moveaxis(np.tensordot(M, T, axes=([1], [j])), 0, j)
        del k
        return out.reshape(self.size, B)

    def perm_action(self, perms: dict) -> np.ndarray:
        """Flat index permutation (size,) within the block for permutation elements
        {factor: (d_f,) int array}; the multi-index i maps to (p_1[i_1], ..., p_k[i_k])."""
        out = np.zeros(1, dtype=np.int64)
        for leaf in self.leaves:
            p = leaf._perm(perms)
            out = (out[:, None] * len(p) + p[None, :]).reshape(-1)
        return out


def count_monomials(rep) -> int:
    """How many monomial blocks ``rep`` splits into, counted without expanding it."""
    from .base import ProductRep, SumRep

    if isinstance(rep, SumRep):
        return sum(m * count_monomials(t) for t, m in rep.terms)
    if isinstance(rep, ProductRep):
        return math.prod(count_monomials(f) for f in rep.factors)
    return 1


def monomials_of(rep) -> list[Monomial]:
    """Expand a bound rep into its monomial blocks, in coordinate order of first appearance.

    Raises a ValueError naming the count when there would be more than
    :data:`eqsolve.reps.base.MAX_BLOCKS` of them."""
    from .base import MAX_BLOCKS, BaseRep, ProductRep, ScalarRep, SumRep

    count = count_monomials(rep)
    if count > MAX_BLOCKS:
        raise ValueError(
            f"the rep {rep} splits into {count} monomial blocks; eqsolve expands at most "
            f"{MAX_BLOCKS}. Use smaller multiplicities or powers of sums."
        )

    def expand(r) -> list[tuple[tuple, int, tuple]]:
        if isinstance(r, ScalarRep):
            return [((), 0, ())]
        if isinstance(r, BaseRep):
            if r.G is None:
                raise ValueError("cannot expand an unbound rep: bind it to a group first")
            return [((r,), 0, (1,))]
        if isinstance(r, SumRep):
            out, off = [], 0
            for t, m in r.terms:
                sub, size = expand(t), t.size()
                for _ in range(m):
                    out.extend((lv, o + off, s) for lv, o, s in sub)
                    off += size
            return out
        if isinstance(r, ProductRep):
            sizes = [f.size() for f in r.factors]
            outer = [math.prod(sizes[j + 1 :]) for j in range(len(sizes))]
            subs = [expand(f) for f in r.factors]
            out = []
            for combo in itertools.product(*subs):
                leaves, off, strides = (), 0, ()
                for (lv, o, s), st in zip(combo, outer):
                    leaves += lv
                    off += o * st
                    strides += tuple(x * st for x in s)
                out.append((leaves, off, strides))
            return out
        if r._leaves() == [r]:  # a user rep (or its dual): a leaf of its own
            if r.G is None:
                raise ValueError(f"cannot expand the unbound rep {r}: bind it to a group first")
            return [((r,), 0, (1,))]
        raise TypeError(f"unknown rep type {type(r).__name__}")

    return [Monomial(lv, o, s) for lv, o, s in expand(rep)]
