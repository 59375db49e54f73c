"""Direct products G1 x G2 x ... acting block-diagonally on R^{d1 + d2 + ...}."""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .base import Group


class DirectProduct(Group):
    """The direct product of groups. Nested products are flattened into their factors.

    The defining representation is the direct sum: an element is block-diagonal
    (d = sum of the factors' d). Generators of each factor act on their own block.
    Tensor products of reps of different groups (``V(G1) * V(G2)``) are reps of this group.
    """

    def __init__(self, *groups: Group, label: str | None = None):
        if len(groups) == 1 and isinstance(groups[0], (list, tuple)):
            groups = tuple(groups[0])
        if not groups:
            raise ValueError("DirectProduct needs at least one group")
        factors: list[Group] = []
        for g in groups:
            if not isinstance(g, Group):
                raise TypeError(f"DirectProduct factors must be groups, got {type(g).__name__}")
            factors.extend(g.factors)
        if len(set(factors)) != len(factors):
            dup = [f for f in factors if factors.count(f) > 1][0]
            raise ValueError(f"DirectProduct: factor {dup} appears twice; give the copies different "
                             f"labels, e.g. S(3, label='rows') and S(3, label='cols')")
        self._factors = tuple(factors)
        self.d = sum(f.d for f in factors)
        self.name = " x ".join(repr(f) for f in factors)
        self.label = label
        self._key = ("Product", tuple(f.key for f in factors))
        self._lie_cache = None
        self._disc_cache = None

    @property
    def factors(self) -> tuple[Group, ...]:
        return self._factors

    @property
    def offsets(self) -> np.ndarray:
        return np.cumsum([0] + [f.d for f in self._factors])

    def _embed(self, f_index: int, mat: np.ndarray, identity: bool) -> np.ndarray:
        blocks = [mat if i == f_index else (np.eye(f.d) if identity else np.zeros((f.d, f.d)))
                  for i, f in enumerate(self._factors)]
        return scipy.linalg.block_diag(*blocks)

    @property
    def discrete_generators(self) -> np.ndarray:
        if self._disc_cache is None:
            mats = [self._embed(i, g, True) for i, f in enumerate(self._factors) for g in f.discrete_generators]
            self._disc_cache = np.array(mats).reshape(len(mats), self.d, self.d)
        return self._disc_cache

    @property
    def lie_algebra(self) -> np.ndarray:
        if self._lie_cache is None:
            mats = [self._embed(i, a, False) for i, f in enumerate(self._factors) for a in f.lie_algebra]
            self._lie_cache = np.array(mats).reshape(len(mats), self.d, self.d)
        return self._lie_cache

    @property
    def perm_generators(self):
        if not all(f.is_permutation for f in self._factors):
            return None
        out = []
        off = self.offsets
        for i, f in enumerate(self._factors):
            for p in f.perm_generators:
                q = np.arange(self.d)
                q[off[i]:off[i + 1]] = p + off[i]
                out.append(q)
        return np.array(out, dtype=np.int64).reshape(len(out), self.d)

    @property
    def is_orthogonal(self) -> bool:
        return all(f.is_orthogonal for f in self._factors)

    @property
    def num_constraints(self) -> int:
        return sum(f.num_constraints for f in self._factors)

    def split(self, g: np.ndarray) -> dict[Group, np.ndarray]:
        """The factor blocks {factor: (d_i, d_i)} of a block-diagonal element g (d, d)."""
        g = np.asarray(g)
        if g.shape != (self.d, self.d):
            raise ValueError(f"element of {self} must be ({self.d}, {self.d}), got {g.shape}")
        off = self.offsets
        return {f: g[off[i]:off[i + 1], off[i]:off[i + 1]] for i, f in enumerate(self._factors)}

    def samples(self, N: int, seed: int = 0) -> np.ndarray:
        per = [f.samples(N, seed + 7919 * i) for i, f in enumerate(self._factors)]
        return np.array([scipy.linalg.block_diag(*[p[k] for p in per]) for k in range(N)])

    def __repr__(self):
        return f"({self.name})" if self.label is None else f"({self.name})[{self.label}]"
