"""Permutation groups: S(n), A(n), Z(n), D(n), Trivial(n) and any user generator set.

A permutation is an int array ``p`` of length n meaning point ``i`` goes to ``p[i]``; its matrix
P has ``P[p[i], i] = 1`` so that ``(P x)[p[i]] = x[i]``.
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from .base import Group


def perm_matrix(p: np.ndarray) -> np.ndarray:
    """Permutation matrix (n, n) with P[p[i], i] = 1."""
    n = len(p)
    P = np.zeros((n, n))
    P[p, np.arange(n)] = 1.0
    return P


def validate_permutation(p, n: int | None = None, what: str = "permutation") -> np.ndarray:
    arr = np.asarray(p)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{what} must be a 1-d sequence of ints; got {arr.dtype} array of shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise ValueError(f"{what} has length {len(arr)} but the group permutes {n} points")
    if not np.array_equal(np.sort(arr), np.arange(len(arr))):
        raise ValueError(f"{what} {arr.tolist()[:20]} is not a permutation of 0..{len(arr) - 1}")
    return arr.astype(np.int64)


class PermutationGroup(Group):
    """A group of permutations of n points, kept as index arrays (never n x n unless asked)."""

    def __init__(self, perms, n: int, *, name: str, label: str | None = None, key=None):
        if n < 1:
            raise ValueError(f"{name}: the number of points must be >= 1, got {n}")
        perms = [validate_permutation(p, n, f"generator {i} of {name}") for i, p in enumerate(perms)]
        self._perms = np.array(perms, dtype=np.int64).reshape(len(perms), n)
        self.d = int(n)
        self.name = name
        self.label = label
        self._lie = np.zeros((0, n, n))
        self._key = key

    @property
    def perm_generators(self) -> np.ndarray:
        return self._perms

    @cached_property
    def _disc_matrices(self) -> np.ndarray:
        return np.array([perm_matrix(p) for p in self._perms]).reshape(len(self._perms), self.d, self.d)

    @property
    def discrete_generators(self) -> np.ndarray:
        return self._disc_matrices

    @property
    def is_orthogonal(self) -> bool:
        return True

    @cached_property
    def is_regular_cyclic(self) -> bool:
        if self.d < 2 or len(self._perms) != 1:
            return False
        shift = int(self._perms[0][0])  # a rotation i -> i + shift generating all of Z(n)
        return math.gcd(shift, self.d) == 1 and bool(np.array_equal(self._perms[0], (np.arange(self.d) + shift) % self.d))

    @cached_property  # generators and label never change
    def key(self):
        if self._key is None:
            self._key = ("Perm", self.d, tuple(map(tuple, self._perms.tolist())))
        return (self._key, self.label)

    # ---------------------------------------------------------- group structure
    @cached_property
    def sympy_group(self):
        from sympy.combinatorics import Permutation as SymPerm, PermutationGroup as SymGroup
        gens = [SymPerm(p.tolist()) for p in self._perms] or [SymPerm(list(range(self.d)))]
        return SymGroup(gens)

    def order(self) -> int:
        return int(self.sympy_group.order())

    def contains(self, p) -> bool:
        """Whether the permutation p (length n) is an element of the group (Schreier-Sims)."""
        from sympy.combinatorics import Permutation as SymPerm
        p = validate_permutation(p, self.d)
        return bool(self.sympy_group.contains(SymPerm(p.tolist())))

    def sample_permutations(self, N: int, seed: int = 0) -> np.ndarray:
        """N random elements as index arrays (N, n) (uniform for S(n); random words otherwise)."""
        rng = np.random.default_rng(seed)
        out = np.empty((N, self.d), dtype=np.int64)
        for k in range(N):
            out[k] = self._random_perm(rng)
        return out

    def _random_perm(self, rng) -> np.ndarray:
        p = np.arange(self.d)
        if len(self._perms) == 0:
            return p
        for _ in range(rng.integers(self.d + 5, 3 * self.d + 20)):
            p = self._perms[rng.integers(len(self._perms))][p]
        return p

    def _sample_one(self, rng) -> np.ndarray:
        return perm_matrix(self._random_perm(rng))


class _Symmetric(PermutationGroup):
    @property
    def is_full_symmetric(self) -> bool:
        return True

    def _random_perm(self, rng):
        return rng.permutation(self.d)

    def order(self) -> int:
        import math
        return math.factorial(self.d)

    def contains(self, p) -> bool:
        validate_permutation(p, self.d)
        return True


GENERATOR_BYTES_MAX = 2 ** 30
"""The most memory a built-in group's generators may take (a larger request is refused up front,
naming the size it would need, instead of failing in numpy or after minutes of work)."""


def _check_n(n, name, nbytes=None, what: str = "its generators"):
    """``n`` as an int >= 1; with ``nbytes`` (n -> bytes the generators of ``name(n)`` take) a
    :class:`~eqsolve.memory.TooLargeError` when they would exceed :data:`GENERATOR_BYTES_MAX`."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name}(n) needs an int number of points, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name}(n) needs n >= 1, got {n}")
    n = int(n)
    if nbytes is not None and nbytes(n) > GENERATOR_BYTES_MAX:
        from ..memory import TooLargeError, human
        lo, hi = 1, n  # the largest n that fits (nbytes is increasing)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if nbytes(mid) <= GENERATOR_BYTES_MAX else (lo, mid - 1)
        raise TooLargeError(f"{name}({n}) would need {human(nbytes(n))} for {what}; eqsolve builds groups "
                            f"whose generators take at most {human(GENERATOR_BYTES_MAX)} ({name}(n) for "
                            f"n <= {lo}). Use a smaller n.")
    return n


def _cycle(n):
    return np.roll(np.arange(n), 1)  # the point i goes to i - 1 mod n


def S(n: int, label: str | None = None) -> PermutationGroup:
    """The symmetric group on n points (generated by a transposition and an n-cycle)."""
    n = _check_n(n, "S", lambda n: 16 * n, "2 generators of n points")
    gens = []
    if n >= 2:
        t = np.arange(n)
        t[[0, 1]] = [1, 0]
        gens.append(t)
    if n >= 3:
        gens.append(_cycle(n))
    return _Symmetric(gens, n, name=f"S({n})", label=label, key=("S", n))


def A(n: int, label: str | None = None) -> PermutationGroup:
    """The alternating group on n points (generated by the 3-cycles (0 1 i))."""
    n = _check_n(n, "A", lambda n: 8 * n * max(n - 2, 0), "n - 2 generators of n points")
    gens = []
    for i in range(2, n):
        p = np.arange(n)
        p[0], p[1], p[i] = 1, i, 0
        gens.append(p)
    return PermutationGroup(gens, n, name=f"A({n})", label=label, key=("A", n))


def Z(n: int, label: str | None = None) -> PermutationGroup:
    """The cyclic group of order n acting on n points by rotation."""
    n = _check_n(n, "Z", lambda n: 8 * n, "a generator of n points")
    return PermutationGroup([_cycle(n)] if n >= 2 else [], n, name=f"Z({n})", label=label, key=("Z", n))


def D(n: int, label: str | None = None) -> PermutationGroup:
    """The dihedral group of order 2n acting on the n vertices of a regular polygon."""
    n = _check_n(n, "D", lambda n: 16 * n, "2 generators of n points")
    gens = [_cycle(n)] if n >= 2 else []
    if n >= 3:
        gens.append((-np.arange(n)) % n)
    return PermutationGroup(gens, n, name=f"D({n})", label=label, key=("D", n))


def Trivial(n: int, label: str | None = None) -> PermutationGroup:
    """The trivial group acting on R^n (every linear map is equivariant)."""
    n = _check_n(n, "Trivial", lambda n: 8 * n, "its n points")
    return PermutationGroup([], n, name=f"Trivial({n})", label=label, key=("Trivial", n))


def Permutation(generators, name: str | None = None, label: str | None = None) -> PermutationGroup:
    """A permutation group from user generators.

    Args:
        generators: sequence of permutations, each a sequence of n ints (i -> p[i]).
    """
    gens = list(generators)
    if not gens:
        raise ValueError("Permutation(generators) needs at least one generator (use Trivial(n) for none)")
    arrs = [np.asarray(g) for g in gens]
    n = len(arrs[0])
    for i, a in enumerate(arrs):
        if a.ndim != 1:
            raise ValueError(f"permutation generator {i} must be 1-d, got shape {a.shape}")
        if len(a) != n:
            raise ValueError(f"permutation generator {i} has length {len(a)}, generator 0 has {n}")
    return PermutationGroup(arrs, n, name=name or f"Permutation(n={n}, {len(arrs)} gens)", label=label)
