"""The :class:`Group` base class: a matrix group on R^d given by its generators.

A group is described by
- ``discrete_generators``: array (M, d, d) of invertible matrices, and
- ``lie_algebra``: array (D, d, d) of infinitesimal generators (the identity component is
  exp(span)).
Permutation groups additionally keep ``perm_generators`` (M, d) int arrays (image of each
point) so that nothing of size d x d is formed unless asked for.

Groups compare by value: two calls ``S(5)`` are equal; an optional ``label`` makes copies of the
same group distinct factors of a direct product (``S(3, label="rows") != S(3, label="cols")``).
"""

from __future__ import annotations

import hashlib
from functools import cached_property

import numpy as np
import scipy.linalg


def _as_matrix_stack(mats, name: str, d: int | None) -> np.ndarray:
    """Validate and convert generators to a float64 array (M, d, d)."""
    if mats is None:
        return np.zeros((0, d or 0, d or 0))
    arr = np.asarray(mats)
    # complex generators (U(n), SU(n)) stay complex128; everything else is float64
    arr = arr.astype(np.complex128 if np.iscomplexobj(arr) else np.float64)
    if arr.size == 0:
        return np.zeros((0, d or 0, d or 0))
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2]:
        raise ValueError(f"{name} must be square matrices of shape (M, d, d); got shape {arr.shape}")
    if d is not None and arr.shape[1] != d:
        raise ValueError(f"{name} act on R^{arr.shape[1]} but the group acts on R^{d}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contain non-finite entries")
    return arr


class Group:
    """A matrix group acting on R^d, given by discrete and Lie-algebra generators.

    Attributes:
        d: dimension of the defining representation.
        discrete_generators: (M, d, d) float64 (complex128 for complex groups).
        lie_algebra: (D, d, d) float64 (complex128 for complex groups).
        name: readable name, e.g. ``"S(5)"``.
        label: optional tag that distinguishes otherwise equal copies.

    EMLP's way of defining a group also works: a subclass sets ``self.discrete_generators``
    and/or ``self.lie_algebra`` (or declares them as class attributes) and then calls
    ``super().__init__(*args)``; the args only name the group (``Alt(5)``)::

        class Alt(Group):
            def __init__(self, n):
                self.discrete_generators = ...  # (n-2, n, n) 3-cycles
                super().__init__(n)
    """

    def __init__(
        self,
        discrete_generators=None,
        lie_algebra=None,
        *emlp_args,
        d: int | None = None,
        name: str | None = None,
        label: str | None = None,
        key=None,
    ):
        pending_disc, pending_lie = self._emlp_declared("discrete_generators"), self._emlp_declared("lie_algebra")
        if pending_disc is not None or pending_lie is not None:
            # EMLP style: the positional arguments are the subclass's own (they name the group)
            args = [a for a in (discrete_generators, lie_algebra) + emlp_args if a is not None]
            name = name or f"{type(self).__name__}({', '.join(map(repr, args))})"
            discrete_generators, lie_algebra = pending_disc, pending_lie
            if d is None and isinstance(self.__dict__.get("d"), (int, np.integer)):
                d = int(self.__dict__["d"])
        elif emlp_args:
            raise TypeError(
                f"Group(discrete_generators, lie_algebra, *, d=..., name=...) got {len(emlp_args)} extra "
                f"positional arguments"
            )
        disc = _as_matrix_stack(discrete_generators, "discrete generators", d)
        d = d if d is not None else (disc.shape[1] if len(disc) else None)
        lie = _as_matrix_stack(lie_algebra, "Lie-algebra generators", d)
        if d is None:
            d = lie.shape[1] if len(lie) else None
        if d is None or d < 1:
            raise ValueError("cannot infer the dimension d of the group: give generators or d >= 1")
        if len(disc) and lie.shape[1] != disc.shape[1] and len(lie):
            raise ValueError(f"discrete generators act on R^{disc.shape[1]} but the Lie algebra on R^{lie.shape[1]}")
        for i, g in enumerate(disc):
            s = np.linalg.svd(g, compute_uv=False)
            if s[-1] <= 1e-10 * max(1.0, s[0]):
                raise ValueError(
                    f"discrete generator {i} of {name or 'group'} is not invertible "
                    f"(smallest singular value {s[-1]:.3g})"
                )
        self._disc = disc.reshape(len(disc), d, d) if len(disc) else np.zeros((0, d, d))
        self._lie = lie.reshape(len(lie), d, d) if len(lie) else np.zeros((0, d, d))
        self.d = int(d)
        self.name = name or f"Group(d={d})"
        self.label = label
        self._key = key

    # ----------------------------------------------------------------- generators
    @property
    def discrete_generators(self) -> np.ndarray:
        """(M, d, d) float64 discrete generators."""
        return self._generators("_disc")

    @discrete_generators.setter
    def discrete_generators(self, value):
        self._set_generators("_disc", value, "discrete generators")

    @property
    def lie_algebra(self) -> np.ndarray:
        """(D, d, d) float64 Lie-algebra generators."""
        return self._generators("_lie")

    @lie_algebra.setter
    def lie_algebra(self, value):
        self._set_generators("_lie", value, "Lie-algebra generators")

    def _generators(self, slot: str):
        d = self.__dict__
        if slot in d:
            return d[slot]
        if "_pending" + slot in d:  # EMLP style: a subclass edits what it assigned before __init__
            return d["_pending" + slot]
        raise AttributeError(f"{type(self).__name__} has no generators yet: assign them, then call super().__init__")

    def _set_generators(self, slot: str, value, what: str) -> None:
        """EMLP-style assignment: before ``__init__`` it is remembered for it; afterwards (EMLP's
        ``D(k)`` adds a reflection after ``super().__init__``) it replaces the generators and
        forgets everything derived from them."""
        if slot not in self.__dict__:
            self.__dict__["_pending" + slot] = value
            return
        arr = _as_matrix_stack(value, what, self.d)
        self.__dict__[slot] = arr.reshape(len(arr), self.d, self.d) if len(arr) else np.zeros((0, self.d, self.d))
        self._key = None
        for name in ("perm_generators", "is_orthogonal", "is_complex", "is_unimodular", "has_positive_determinants"):
            self.__dict__.pop(name, None)

    def _emlp_declared(self, attr: str):
        """Generators a subclass assigned before ``__init__`` or declared as a class attribute."""
        pending = self.__dict__.pop("_pending" + ("_disc" if attr == "discrete_generators" else "_lie"), None)
        if pending is not None:
            return pending
        for cls in type(self).__mro__:
            if cls is Group:
                break
            value = cls.__dict__.get(attr)
            if value is not None and not isinstance(value, (property, cached_property)):
                return value
        return None

    @cached_property
    def perm_generators(self) -> np.ndarray | None:
        """(M, d) int array of point images if this is a permutation group, else None.

        A group given by matrices is recognised as one (as EMLP's ``is_permutation``) when it
        has no Lie algebra and every discrete generator is a 0/1 matrix with one 1 in each row
        and column; point i goes to p[i] where ``g[p[i], i] = 1``."""
        if len(self.lie_algebra) or not len(self.discrete_generators):
            return None
        out = []
        for g in self.discrete_generators:
            if np.iscomplexobj(g) or not np.all((g == 0) | (g == 1)):
                return None
            if not (np.all(g.sum(axis=0) == 1) and np.all(g.sum(axis=1) == 1)):
                return None
            out.append(np.argmax(g, axis=0))
        return np.array(out, dtype=np.int64).reshape(len(out), self.d)

    def sample_permutations(self, N: int, seed: int = 0) -> np.ndarray:
        """N random elements as index arrays (N, d) (permutation groups only)."""
        gens = self.perm_generators
        if gens is None:
            raise TypeError(f"{self} is not a permutation group")
        rng = np.random.default_rng(seed)
        out = np.empty((N, self.d), dtype=np.int64)
        for k in range(N):
            p = np.arange(self.d)
            for _ in range(rng.integers(self.d + 5, 3 * self.d + 20)):
                p = gens[rng.integers(len(gens))][p]
            out[k] = p
        return out

    @property
    def is_permutation(self) -> bool:
        return self.perm_generators is not None

    @property
    def is_full_symmetric(self) -> bool:
        """True for S(n) acting on its n points (orbits on tuples = equality patterns)."""
        return False

    @property
    def is_regular_cyclic(self) -> bool:
        """True for Z(n) acting on its n points by rotations (one generator i -> i + s mod n
        with s prime to n); its orbits on index tuples are classes of index differences."""
        return False

    @property
    def is_full_orthogonal(self) -> bool:
        """True for O(n) acting on R^n (its tensor invariants are Brauer's perfect matchings)."""
        return False

    @cached_property
    def is_complex(self) -> bool:
        """Generators with complex entries (U(n), SU(n)): reps and bases are complex."""
        return np.iscomplexobj(self.discrete_generators) or np.iscomplexobj(self.lie_algebra)

    @cached_property
    def is_orthogonal(self) -> bool:
        """All generators orthogonal / antisymmetric, so the dual rep equals the rep."""
        eye = np.eye(self.d)
        ok = all(np.allclose(g @ g.T, eye, atol=1e-10) for g in self.discrete_generators)
        return ok and all(np.allclose(a, -a.T, atol=1e-10) for a in self.lie_algebra)

    @property
    def factors(self) -> tuple["Group", ...]:
        """The direct-product factors (just ``(self,)`` for a group that is not a product)."""
        return (self,)

    def num_constraints(self) -> int:
        """Number of generator constraints (discrete + Lie), as EMLP's ``G.num_constraints()``."""
        return len(self.discrete_generators) + len(self.lie_algebra)

    @cached_property
    def is_unimodular(self) -> bool:
        """Every element has |det| = 1 (discrete generators with |det| = 1, traceless algebra)."""
        return all(abs(abs(np.linalg.det(g)) - 1) < 1e-8 for g in self.discrete_generators) and all(
            abs(np.trace(a)) < 1e-10 for a in self.lie_algebra
        )

    @cached_property
    def has_positive_determinants(self) -> bool:
        """Every element has det > 0 (all discrete generators do; exp of the algebra always does)."""
        return not self.is_complex and all(np.linalg.det(g) > 0 for g in self.discrete_generators)

    # ------------------------------------------------------------------- sampling
    def samples(self, N: int, seed: int = 0) -> np.ndarray:
        """N group elements (N, d, d): exp of a random Lie-algebra element times random words
        in the discrete generators."""
        rng = np.random.default_rng(seed)
        out = np.empty((N, self.d, self.d), dtype=np.complex128 if self.is_complex else np.float64)
        for i in range(N):
            out[i] = self._sample_one(rng)
        return out

    def sample(self, seed: int = 0) -> np.ndarray:
        return self.samples(1, seed)[0]

    def _sample_one(self, rng) -> np.ndarray:
        g = np.eye(self.d)
        if len(self.lie_algebra):
            z = rng.normal(size=len(self.lie_algebra)) / np.sqrt(len(self.lie_algebra))
            g = scipy.linalg.expm(np.einsum("k,kij->ij", z, self.lie_algebra))
        disc = self.discrete_generators
        if len(disc):
            for _ in range(rng.integers(0, 2 * len(disc) + 8)):
                g = disc[rng.integers(len(disc))] @ g
        return g

    # ------------------------------------------------------------------ equality
    @property
    def key(self):
        """A hashable value that identifies the group (generators + label)."""
        if self._key is None:
            h = hashlib.sha256()
            h.update(np.ascontiguousarray(self.discrete_generators).tobytes())
            h.update(b"|")
            h.update(np.ascontiguousarray(self.lie_algebra).tobytes())
            self._key = ("Group", self.d, h.hexdigest())
        return (self._key, self.label)

    def __eq__(self, other):
        return isinstance(other, Group) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return self.name if self.label is None else f"{self.name}[{self.label}]"

    __str__ = __repr__

    def with_label(self, label: str | None) -> "Group":
        """A copy of this group carrying ``label`` (a distinct factor in products)."""
        import copy

        g = copy.copy(self)
        g.label = label
        g.__dict__.pop("key", None)  # a key cached on the original names the old label
        return g

    # ---------------------------------------------------------------- factories
    @staticmethod
    def from_generators(
        discrete=None, lie=None, name: str | None = None, label: str | None = None, d: int | None = None
    ) -> "Group":
        """Any user group from generators.

        Args:
            discrete: (M, d, d) matrices, or a list of permutations (sequences of ints) which
                makes a permutation group.
            lie: (D, d, d) Lie-algebra generators.
        """
        if discrete is not None and lie is None and _looks_like_permutations(discrete):
            from .permutation import Permutation

            return Permutation(discrete, name=name, label=label)
        return Group(discrete, lie, d=d, name=name, label=label)

    def __mul__(self, other):
        if isinstance(other, Group):
            from .product import DirectProduct

            return DirectProduct(self, other)
        return NotImplemented


def _looks_like_permutations(gens) -> bool:
    try:
        seqs = [list(g) for g in gens]
    except TypeError:
        return False
    return bool(seqs) and all(
        all(isinstance(x, (int, np.integer)) for x in s)
        and len(s) > 0
        and not any(isinstance(x, (list, tuple, np.ndarray)) for x in s)
        for s in seqs
    )
