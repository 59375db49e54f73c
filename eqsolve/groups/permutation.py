"""Permutation groups: S(n), A(n), Z(n), DihedralPerm(n), Cube(), ZksZnxZn(k, n), Trivial(n) and any
user generator set.

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

    @property
    def is_unimodular(self) -> bool:
        return True

    @cached_property
    def is_regular_cyclic(self) -> bool:
        if self.d < 2 or len(self._perms) != 1:
            return False
        shift = int(self._perms[0][0])  # a rotation i -> i + shift generating all of Z(n)
        return math.gcd(shift, self.d) == 1 and bool(
            np.array_equal(self._perms[0], (np.arange(self.d) + shift) % self.d)
        )

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


GENERATOR_BYTES_MAX = 2**30
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
        raise TooLargeError(
            f"{name}({n}) would need {human(nbytes(n))} for {what}; eqsolve builds groups "
            f"whose generators take at most {human(GENERATOR_BYTES_MAX)} ({name}(n) for "
            f"n <= {lo}). Use a smaller n."
        )
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


def DihedralPerm(n: int, label: str | None = None) -> PermutationGroup:
    """The dihedral group of order 2n permuting the n vertices of a regular polygon.

    (EMLP's ``D(k)`` -- and eqsolve's -- is the same abstract group acting on R^2 by 2x2
    rotations and a reflection: :func:`eqsolve.groups.D`.)"""
    n = _check_n(n, "DihedralPerm", lambda n: 16 * n, "2 generators of n points")
    gens = [_cycle(n)] if n >= 2 else []
    if n >= 3:
        gens.append((-np.arange(n)) % n)
    return PermutationGroup(gens, n, name=f"DihedralPerm({n})", label=label, key=("DihedralPerm", n))


def _from_emlp_perm(perm) -> np.ndarray:
    """EMLP's ``LazyPerm(perm)`` maps x to x[perm] (matrix M[i, perm[i]] = 1); in eqsolve's
    convention (P[p[i], i] = 1) that matrix is the permutation p = argsort(perm)."""
    return np.argsort(np.asarray(perm))


def Cube(label: str | None = None) -> PermutationGroup:
    """The 24 rotations of a cube acting on its 6 faces (EMLP's ``Cube``: generators F and L)."""
    F = _from_emlp_perm([4, 1, 0, 3, 5, 2])
    L = _from_emlp_perm([3, 0, 2, 5, 4, 1])
    return PermutationGroup([F, L], 6, name="Cube", label=label, key=("Cube",))


def ZksZnxZn(k: int, n: int, label: str | None = None) -> PermutationGroup:
    """Z_k ⋉ (Z_n x Z_n), the group of the original group CNNs (EMLP's ``ZksZnxZn``): cyclic
    translations of an n x n grid in x and y, and rotations of the grid by 360/k degrees
    (k = 4: p4; k = 2: p2), acting on k rotation channels x n x n positions (d = k n^2) by
    the regular-like action of EMLP (generators I_k ⊗ shift ⊗ I_n, I_k ⊗ I_n ⊗ shift and
    shift_k ⊗ rot90^(4/k))."""
    k = _check_n(k, "ZksZnxZn")
    n = _check_n(n, "ZksZnxZn", lambda n: 3 * 8 * k * n * n, "3 generators of k n^2 points")
    if k not in (2, 4):
        raise ValueError(f"ZksZnxZn(k, n) needs k = 2 or 4 (rotations by 180 or 90 degrees), got k={k}")
    idx = np.arange(k * n * n).reshape(k, n, n)
    # EMLP applies each generator M to a vector x as x -> M x with (M x) = op(x); the image of
    # basis vector e_i is op(e_i), so the permutation is read off op applied to the index grid:
    # (M x)[j] = x[src[j]] means e_{src[j]} -> e_j, i.e. p[src[j]] = j.
    sources = [
        np.roll(idx, 1, axis=1),  # translate in x
        np.roll(idx, 1, axis=2),  # translate in y
        np.rot90(np.roll(idx, 1, axis=0), 4 // k, axes=(1, 2)),
    ]  # rotate the grid, shift k
    gens = []
    for src in sources:
        src = src.reshape(-1)
        p = np.empty(k * n * n, dtype=np.int64)
        p[src] = np.arange(k * n * n)
        gens.append(p)
    return PermutationGroup(gens, k * n * n, name=f"ZksZnxZn({k},{n})", label=label, key=("ZksZnxZn", k, n))


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
