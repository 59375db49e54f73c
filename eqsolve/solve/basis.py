"""Basis objects: what a solver returns.

A basis spans the invariant subspace {v : rho(g) v = v} of a rep of size m. It can be
materialised as a dense (m, dim) matrix with orthonormal columns, but it also carries
structure the runtime and the verifier use. :class:`Basis` (abstract) declares that contract
once; the solvers return its final forms:

- :class:`DenseBasis`: explicit orthonormal columns (continuous groups), with per-vector
  constraint residuals;
- :class:`OrbitBasis` and :class:`CyclicBasis` (both a :class:`PermutationBasis`): one element
  per orbit of coordinates (permutation reps); element k is the normalised indicator of orbit
  k, labelled by the orbit's first multi-index;
- :class:`PatternBasis`: S(n) tensor reps and their products; element k is the normalised
  indicator of all multi-indices with one equality pattern (a set partition of the axes per
  group factor), described in closed form, never enumerated;
- :class:`RepBasis`: the direct sum over the monomial blocks of a rep (block splitting).
"""

from __future__ import annotations

import abc
import functools
import math
from typing import Sequence, final

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..memory import check_fits, human


def _real_or_complex(a) -> np.ndarray:
    """float64, or complex128 for complex input (vectors of reps of U(n), SU(n))."""
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64, copy=False)


class _Columns(abc.ABC):
    """A (size, dim) matrix with orthonormal columns, never formed unless asked for: what
    :class:`Basis` and :class:`RepBasis` share (EMLP's ``Q @ W``, ``np.asarray(Q)``; a
    RepBasis also has EMLP's ``Q.shape``, while a block's ``shape`` is its tensor shape)."""

    size: int
    dim: int
    dtype: type = np.float64  # complex128 for the bases of reps of U(n), SU(n)
    # numpy defers ``ndarray @ Q`` to ``Q.__rmatmul__`` (matrix-free) instead of densifying Q;
    # ``np.asarray(Q)`` still gives the dense matrix
    __array_ufunc__ = None

    @abc.abstractmethod
    def dense(self) -> np.ndarray:
        """(size, dim) float64 with orthonormal columns (refused with a TooLargeError, a
        ValueError that says how big it would be, when it cannot fit)."""

    @abc.abstractmethod
    def apply(self, coeffs: np.ndarray) -> np.ndarray:
        """sum_k coeffs[k] * q_k: coeffs (dim,) or (dim, B) -> (size,) or (size, B)."""

    @abc.abstractmethod
    def coefficients(self, x: np.ndarray) -> np.ndarray:
        """Q^T x: x (size,) or (size, B) -> (dim,) or (dim, B)."""

    def project(self, x: np.ndarray) -> np.ndarray:
        """Q Q^T x."""
        return self.apply(self.coefficients(x))

    def __matmul__(self, coeffs: np.ndarray) -> np.ndarray:
        """``Q @ W``: :meth:`apply` (matrix-free) for W (dim,) or (dim, B)."""
        return self.apply(coeffs)

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        """``x @ Q`` for x (size,) or (B, size), matrix-free: ``(Q^T x^T)^T``, which for a real
        basis is the coefficients of x (for a complex one, ``conj(Q^H conj(x))``)."""
        x = _real_or_complex(x)
        if np.iscomplexobj(x) or np.dtype(self.dtype) == np.complex128:
            return self.coefficients(x.conj().T).conj().T
        return self.coefficients(x.T).T

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(Q)``: :meth:`dense` (refused by size when it cannot fit)."""
        Q = self.dense()
        return Q if dtype is None else Q.astype(dtype, copy=False)


class Basis(_Columns):
    """Basis of the invariant subspace of one monomial block (size m, dim elements).

    The contract solve, runtime, verify and viz read (subclasses are final):

    Attributes:
        method: the solver that produced it (a name of :data:`eqsolve.solve.SOLVERS`).
        size, dim: block size and number of basis elements.
        labels: one label per element (a multi-index, a :class:`PatternLabel`, or ``"q<k>"``).
        residuals: (dim,) max constraint residual of each element (zeros for exact bases).
        is_tied: every coordinate belongs to at most one element (orbits, patterns), so one
            colour per weight entry tells the whole story.
        is_complex: the columns are complex (reps of U(n), SU(n)); real otherwise.
    """

    method: str
    labels: Sequence
    residuals: np.ndarray | None
    is_tied: bool = True
    is_complex: bool = False

    def _check_dense(self) -> None:
        check_fits(
            self.size * max(self.dim, 1) * 8,
            f"the dense basis ({self.size} x {self.dim})",
            "use basis.apply / basis.coefficients or the eqsolve.runtime layers, which never form it",
        )

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, dim={self.dim})"


@final
class DenseBasis(Basis):
    """Explicit orthonormal columns Q (size, dim) from a numerical solver (``method`` names it:
    dense, dense-stacked, krylov, product)."""

    is_tied = False

    def __init__(
        self, Q: np.ndarray, residuals: np.ndarray | None = None, method: str = "dense", labels: Sequence | None = None
    ):
        Q = np.asarray(Q)  # complex128 for reps of complex groups (U(n), SU(n)), else float64
        self.Q = Q.astype(np.complex128 if np.iscomplexobj(Q) else np.float64, copy=False)
        self.is_complex = np.iscomplexobj(self.Q)
        self.dtype = np.complex128 if self.is_complex else np.float64
        self.size, self.dim = self.Q.shape
        self.residuals = residuals
        self.method = method
        self.labels = list(labels) if labels is not None else [f"q{k}" for k in range(self.dim)]

    def dense(self) -> np.ndarray:
        return self.Q

    def apply(self, coeffs: np.ndarray) -> np.ndarray:
        return self.Q @ coeffs

    def coefficients(self, x: np.ndarray) -> np.ndarray:
        """Q^H x (Q^T x for a real basis)."""
        return (self.Q.conj().T if self.is_complex else self.Q.T) @ x


class PermutationBasis(Basis):
    """Invariants of a permutation rep: constant on each orbit of coordinates (abstract; the
    final forms are :class:`OrbitBasis` and :class:`CyclicBasis`).

    Subclasses provide:
        orbit_of: (size,) int, the orbit index of each coordinate (orbits ordered by their
            smallest coordinate).
        counts: (dim,) orbit sizes.
        representatives: (dim,) the smallest coordinate of each orbit.
        shape: the block's tensor shape, used to label orbits by a representative multi-index.
    """

    shape: tuple[int, ...]

    @property
    @abc.abstractmethod
    def orbit_of(self) -> np.ndarray: ...

    @property
    @abc.abstractmethod
    def counts(self) -> np.ndarray: ...

    @property
    @abc.abstractmethod
    def representatives(self) -> np.ndarray: ...

    @functools.cached_property
    def labels(self) -> list[tuple[int, ...]]:  # type: ignore[override]
        """One label per orbit: the multi-index of its smallest coordinate (built on first use)."""
        if not self.shape:
            return [()] * self.dim
        idx = np.unravel_index(self.representatives, self.shape)
        return [tuple(int(a[k]) for a in idx) for k in range(self.dim)]

    def dense(self) -> np.ndarray:
        self._check_dense()
        Q = np.zeros((self.size, self.dim))
        Q[np.arange(self.size), self.orbit_of] = 1.0 / np.sqrt(self.counts[self.orbit_of])
        return Q

    def apply(self, coeffs: np.ndarray) -> np.ndarray:
        coeffs = _real_or_complex(coeffs)
        scale = 1.0 / np.sqrt(self.counts)
        scaled = coeffs * (scale if coeffs.ndim == 1 else scale[:, None])
        return scaled[self.orbit_of]

    def coefficients(self, x: np.ndarray) -> np.ndarray:
        x = _real_or_complex(x)
        scale = 1.0 / np.sqrt(self.counts)
        if x.ndim == 1 and not np.iscomplexobj(x):
            return np.bincount(self.orbit_of, weights=x, minlength=self.dim) * scale
        out = np.zeros((self.dim,) + x.shape[1:], dtype=x.dtype)
        np.add.at(out, self.orbit_of, x)
        return out * scale.reshape((-1,) + (1,) * (x.ndim - 1))


@final
class OrbitBasis(PermutationBasis):
    """Invariants of a permutation rep found by an orbit search (see :class:`PermutationBasis`
    for the attributes); the scalar block is ``OrbitBasis(np.zeros(1, int), ())``."""

    method = "orbit"

    def __init__(self, orbit_of: np.ndarray, shape: tuple[int, ...], representatives: np.ndarray | None = None):
        """``representatives`` (dim,): the smallest coordinate of each orbit, when the caller
        already knows it (computed here otherwise)."""
        self._orbit_of = orbit_of
        self.size = len(orbit_of)
        self.dim = int(orbit_of.max()) + 1 if self.size else 0
        self._counts = np.bincount(orbit_of, minlength=self.dim)
        if representatives is None:
            representatives = np.full(self.dim, self.size, dtype=np.int64)
            np.minimum.at(representatives, orbit_of, np.arange(self.size))
        self._representatives = representatives
        self.shape = shape
        self.residuals = np.zeros(self.dim)

    @property
    def orbit_of(self) -> np.ndarray:
        return self._orbit_of

    @property
    def counts(self) -> np.ndarray:
        return self._counts

    @property
    def representatives(self) -> np.ndarray:
        return self._representatives


@final
class CyclicBasis(PermutationBasis):
    """Invariants of tensor products of regular cyclic reps (Z(n) rotating n points), in
    closed form: no orbit search, nothing of the block's size until asked for.

    Each axis belongs to one cyclic factor (``axis_group``); a factor adds the same t (mod n) to
    all of its axes, so an orbit is fixed by the differences ``(i_a - i_first) mod n`` of the
    factor's other axes to its first axis: prod n^(k-1) orbits of prod n coordinates each.
    Orbits are numbered by those differences read as mixed-radix digits in axis order, which is
    the order of their smallest coordinates, as for every :class:`PermutationBasis`. Element k of a
    ``V -> V`` block is the k-th circulant diagonal (one offset of a circular convolution).
    """

    method = "cyclic"

    def __init__(self, shape: tuple[int, ...], axis_group: tuple[int, ...]):
        self.shape = shape = shape if type(shape) is tuple else tuple(shape)
        self.axis_group = axis_group if type(axis_group) is tuple else tuple(axis_group)
        self.size = math.prod(shape)
        self.first_axis = first = {}  # factor -> its first axis
        free, dim, orbit_size = [], 1, 1
        for a, g in enumerate(self.axis_group):
            if g in first:
                free.append(a)
                dim *= shape[a]
            else:
                first[g] = a
                orbit_size *= shape[a]
        self.free_axes = tuple(free)
        self.dim, self.orbit_size = dim, orbit_size

    @functools.cached_property
    def counts(self) -> np.ndarray:
        return np.full(self.dim, self.orbit_size, dtype=np.int64)

    @functools.cached_property
    def residuals(self) -> np.ndarray:  # type: ignore[override]
        return np.zeros(self.dim)

    @functools.cached_property
    def orbit_of(self) -> np.ndarray:
        check_fits(
            self.size * 8,
            f"the orbit map of a cyclic block of shape {self.shape}",
            "use the basis labels / representatives, which do not enumerate the block",
        )
        k = len(self.shape)
        index = lambda a: np.arange(self.shape[a]).reshape([-1 if b == a else 1 for b in range(k)])
        label = np.zeros((1,) * k, dtype=np.int64)
        for a in self.free_axes:
            n = self.shape[a]
            label = label * n + (index(a) - index(self.first_axis[self.axis_group[a]])) % n
        return np.broadcast_to(label, self.shape).reshape(-1)

    @functools.cached_property
    def representatives(self) -> np.ndarray:
        """Smallest coordinate of each orbit: the first axis of every factor at 0, the other
        axes at the orbit's differences."""
        if not self.free_axes:
            return np.zeros(1, dtype=np.int64)
        digits = np.unravel_index(np.arange(self.dim), tuple(self.shape[a] for a in self.free_axes))
        strides = np.cumprod((1,) + self.shape[:0:-1])[::-1]
        flat = np.zeros(self.dim, dtype=np.int64)
        for a, d in zip(self.free_axes, digits):
            flat += strides[a] * d
        return flat


@final
class PatternLabel:
    """An equality pattern: for each group factor, a set partition of the axes it acts on.

    ``blocks[g]`` is a tuple of blocks (tuples of axis positions); two axes in one block carry
    equal indices, axes in different blocks carry different indices.
    """

    def __init__(self, groups: tuple, blocks: tuple):
        self.groups = groups
        self.blocks = blocks

    def partition(self, group) -> tuple[tuple[int, ...], ...]:
        return self.blocks[self.groups.index(group)]

    def tied(self, axis_a: int, axis_b: int) -> bool:
        """Whether two axes are constrained equal in this pattern."""
        for part in self.blocks:
            for block in part:
                if axis_a in block:
                    return axis_b in block
        return False

    def axis_partition(self) -> tuple[tuple[int, ...], ...]:
        """All blocks, over all groups, sorted by their first axis."""
        return tuple(sorted((b for part in self.blocks for b in part), key=lambda b: b[0]))

    def __eq__(self, other):
        return isinstance(other, PatternLabel) and (self.groups, self.blocks) == (other.groups, other.blocks)

    def __hash__(self):
        return hash((self.groups, self.blocks))

    def __repr__(self):
        parts = ["|".join("".join(str(a) for a in b) for b in part) for part in self.blocks]
        return "Pattern(" + "; ".join(f"{g}: {p}" for g, p in zip(self.groups, parts)) + ")"


def _falling(n: int, k: int) -> int:
    return math.prod(range(n - k + 1, n + 1)) if k <= n else 0


@final
class PatternBasis(Basis):
    """Invariants of a tensor product of defining reps of symmetric groups S(n_1), ... .

    Axis ``j`` of the block (size d_j = n of its group) belongs to group ``axis_group[j]``.
    Element k is the normalised indicator of the multi-indices whose equality pattern is
    ``labels[k]``; it has ``prod_g n_g (n_g - 1) ... (n_g - b_g + 1)`` nonzeros.
    """

    method = "pattern"

    def __init__(self, shape: tuple[int, ...], axis_group: tuple[int, ...], groups: tuple, labels: list[PatternLabel]):
        self.shape = shape
        self.size = math.prod(shape)
        self.axis_group = axis_group
        self.groups = groups
        self.labels = labels
        self.dim = len(labels)
        self.counts = np.array(
            [math.prod(_falling(g.d, len(part)) for g, part in zip(groups, lab.blocks)) for lab in labels],
            dtype=np.float64,
        )
        self.residuals = np.zeros(self.dim)

    def subset(self, keep: Sequence[int]) -> "PatternBasis":
        """The elements ``keep`` (indices into :attr:`labels`) alone: an orthonormal basis of a
        subspace of the invariants (e.g. a layer that keeps only some patterns)."""
        return PatternBasis(self.shape, self.axis_group, self.groups, [self.labels[k] for k in keep])

    def indicator(self, k: int) -> np.ndarray:
        """0/1 tensor of ``shape`` for pattern k (size of the block; memory-checked)."""
        check_fits(self.size, f"pattern indicator of shape {self.shape}")
        grids = np.ogrid[tuple(slice(0, d) for d in self.shape)] if self.shape else []
        mask = np.ones(self.shape, dtype=bool)
        for part in self.labels[k].blocks:
            reps = [block[0] for block in part]
            for block in part:
                for a in block[1:]:
                    mask &= grids[block[0]] == grids[a]
            for i in range(len(reps)):
                for j in range(i + 1, len(reps)):
                    mask &= grids[reps[i]] != grids[reps[j]]
        return mask

    def dense(self) -> np.ndarray:
        self._check_dense()
        Q = np.zeros((self.size, self.dim))
        for k in range(self.dim):
            Q[:, k] = self.indicator(k).reshape(-1) / np.sqrt(self.counts[k])
        return Q

    def apply(self, coeffs: np.ndarray) -> np.ndarray:
        coeffs = np.asarray(coeffs, dtype=np.float64)
        out = np.zeros((self.size,) + coeffs.shape[1:])
        for k in range(self.dim):
            ind = self.indicator(k).reshape(-1).astype(np.float64) / np.sqrt(self.counts[k])
            out += ind[:, None] * coeffs[k] if coeffs.ndim > 1 else ind * coeffs[k]
        return out

    def coefficients(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        rows = []
        for k in range(self.dim):
            ind = self.indicator(k).reshape(-1).astype(np.float64) / np.sqrt(self.counts[k])
            rows.append(ind @ x)
        return np.array(rows)


@final
class RepBasis(_Columns):
    """The equivariant basis of a whole rep: a direct sum over its monomial blocks.

    Attributes:
        rep: the rep solved.
        blocks: list of (Monomial, Basis); identical monomials share one Basis object.
        size, dim: rep size and total number of basis elements.
        labels: one label per element, in column order (block by block).
        block_of: (dim,) index of the block each element belongs to.
    """

    def __init__(self, rep, blocks):
        self.rep = rep
        self.blocks = blocks
        self.size = rep.size()
        dim = 0
        for _, b in blocks:
            dim += b.dim
        self.dim = dim

    @property
    def shape(self) -> tuple[int, int]:
        """(size, dim), as a dense basis matrix would have (EMLP's ``Q.shape``)."""
        return (self.size, self.dim)

    @functools.cached_property
    def by_key(self) -> dict:
        """{monomial key: its Basis}: the block of any monomial type of the rep."""
        return {mono.key: b for mono, b in self.blocks}

    @functools.cached_property
    def block_of(self) -> np.ndarray:
        return np.concatenate([np.full(b.dim, i) for i, (_, b) in enumerate(self.blocks)] or [np.zeros(0, int)]).astype(
            int
        )

    @functools.cached_property
    def _col(self) -> np.ndarray:
        return np.cumsum([0] + [b.dim for _, b in self.blocks])

    @functools.cached_property
    def labels(self) -> list:
        """One label per element, in column order (block by block); built on first use."""
        return [lab for _, b in self.blocks for lab in b.labels]

    @property
    def methods(self) -> set[str]:
        return {b.method for _, b in self.blocks}

    @property
    def residuals(self) -> np.ndarray:
        """(dim,) max constraint residual of each basis vector (0 for exact solvers)."""
        parts = [b.residuals if b.residuals is not None else np.full(b.dim, np.nan) for _, b in self.blocks]
        return np.concatenate(parts) if parts else np.zeros(0)

    def nbytes_dense(self) -> int:
        return self.size * self.dim * 8

    def dense(self) -> np.ndarray:
        """(size, dim) orthonormal columns. Raises a ValueError saying how much memory this
        would need when it does not fit."""
        check_fits(
            self.nbytes_dense(),
            f"the dense basis of {self.rep} ({self.size} x {self.dim})",
            "use basis.apply / basis.projector() or the eqsolve.runtime layers, which never form it",
        )
        Q = np.zeros((self.size, self.dim), dtype=self.dtype)
        for i, (mono, b) in enumerate(self.blocks):
            cols = slice(self._col[i], self._col[i + 1])
            Q[mono.index_array().reshape(-1), cols] = b.dense()
        return Q

    @functools.cached_property
    def dtype(self):
        """complex128 when a block's basis is complex (reps of U(n), SU(n)), else float64."""
        return np.complex128 if any(b.is_complex for _, b in self.blocks) else np.float64

    def _cast(self, a) -> np.ndarray:
        a = np.asarray(a)
        return a.astype(
            np.complex128 if (self.dtype == np.complex128 or np.iscomplexobj(a)) else np.float64, copy=False
        )

    @functools.cached_property
    def _batches(self) -> list[tuple[Basis, list, np.ndarray, np.ndarray | None]]:
        """Blocks that share one Basis object (identical monomials), batched so that a rep with
        tens of thousands of blocks is applied in a few numpy calls: (basis, monomials, first
        column of each block (n_blocks,), parent indices (n_blocks, m) int64, or None for a
        basis used by one block, which is gathered by its monomial (a slice when contiguous))."""
        groups: dict[int, tuple[Basis, list, list]] = {}
        for i, (mono, b) in enumerate(self.blocks):
            if b.dim:
                entry = groups.setdefault(id(b), (b, [], []))
                entry[1].append(mono)
                entry[2].append(self._col[i])
        out = []
        for b, monos, cols in groups.values():
            idx = np.stack([mono.index_array().reshape(-1) for mono in monos]) if len(monos) > 1 else None
            out.append((b, monos, np.asarray(cols, dtype=np.int64), idx))
        return out

    def apply(self, coeffs: np.ndarray) -> np.ndarray:
        """Q @ coeffs for coeffs (dim,) or (dim, B), without forming Q."""
        coeffs = self._cast(coeffs)
        if coeffs.shape[0] != self.dim:
            raise ValueError(f"expected {self.dim} coefficients, got {coeffs.shape[0]}")
        rest = coeffs.shape[1:]
        out = np.zeros((self.size,) + rest, dtype=coeffs.dtype)
        for b, monos, cols, idx in self._batches:
            if idx is None:
                monos[0].scatter_add(out, b.apply(coeffs[cols[0] : cols[0] + b.dim]))
                continue
            n, m = idx.shape
            c = coeffs[cols[:, None] + np.arange(b.dim)]  # (n, dim, *rest)
            y = b.apply(np.moveaxis(c, 0, 1).reshape(b.dim, -1)).reshape((m, n) + rest)
            out[idx] = np.moveaxis(y, 1, 0)  # blocks of a direct sum own disjoint coordinates
        return out

    def coefficients(self, x: np.ndarray) -> np.ndarray:
        """Q^T x for x (size,) or (size, B) (Q^H x for a complex basis)."""
        x = self._cast(x)
        if x.shape[0] != self.size:
            raise ValueError(f"expected a vector of size {self.size} for {self.rep}, got {x.shape[0]}")
        rest = x.shape[1:]
        out = np.zeros((self.dim,) + rest, dtype=np.result_type(x.dtype, self.dtype))
        for b, monos, cols, idx in self._batches:
            if idx is None:
                out[cols[0] : cols[0] + b.dim] = b.coefficients(monos[0].gather(x))
                continue
            n, m = idx.shape
            c = b.coefficients(np.moveaxis(x[idx], 0, 1).reshape(m, -1)).reshape((b.dim, n) + rest)
            out[cols[:, None] + np.arange(b.dim)] = np.moveaxis(c, 1, 0)
        return out

    def projector(self):
        """Q Q^T as a lazy scipy LinearOperator (size, size)."""
        return LinearOperator(
            (self.size, self.size), matvec=self.project, matmat=self.project, rmatvec=self.project, dtype=self.dtype
        )

    def __repr__(self):
        return (
            f"RepBasis({self.rep}: size={self.size}, dim={self.dim}, blocks={len(self.blocks)}, "
            f"methods={sorted(self.methods)}, dense={human(self.nbytes_dense())})"
        )
