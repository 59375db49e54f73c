"""Representation algebra: V, Scalar, duals, sums, tensor products, maps ``rep_in >> rep_out``.

Layout conventions (row-major everywhere):
- a sum ``A + B`` stacks coordinates: first the A block, then the B block;
- a tensor product ``A * B`` is the Kronecker product: index (a, b) -> a * size(B) + b;
- ``rep_in >> rep_out`` is ``rep_out * rep_in.T``: a weight matrix W of shape
  (size(out), size(in)) flattened row-major, so that ``rho(g) vec(W) = vec(rho_out W rho_in^-1)``.

Every rep is a tree whose leaves are :class:`BaseRep` (the defining rep of a group, or its
dual) and :class:`ScalarRep`. Flattening the tree gives *monomials* (tensor products of leaves,
see :mod:`eqsolve.reps.monomial`): invariant blocks of coordinates on which the solvers work.

Group elements are passed internally as dicts ``{factor_group: matrix}`` so that products of
large permutation groups never form block-diagonal matrices; the public ``rho(g)`` accepts an
element of ``rep.G`` as a (d, d) matrix.
"""
from __future__ import annotations

import math
from functools import cached_property, wraps

import numpy as np
import scipy.linalg

from ..groups import DirectProduct, Group

MAX_AXES = 256
"""The most tensor factors one product may have (``V**k``, ``T(p, q)`` with p + q axes): far
beyond any basis a solver could produce, so a larger request is a typo refused up front."""
MAX_BLOCKS = 10 ** 6
"""The most monomial blocks a rep may split into (a multiplicity, or sums raised to powers);
each block is a Python object, so a larger rep is refused up front instead of hanging."""


def _check_axes(k: int, what: str) -> None:
    if k > MAX_AXES:
        raise ValueError(f"{what} has {k} tensor factors; eqsolve allows at most {MAX_AXES} "
                         f"(its invariant basis could not be computed or stored). Use a smaller power.")


def _memoized_size(compute):
    """``size()`` of a composite rep, computed once: its parts never change after construction
    (an unbound part raises, and nothing is stored)."""
    @wraps(compute)
    def size(self):
        value = self.__dict__.get("_size")
        if value is None:
            value = self._size = compute(self)
        return value
    return size


class Rep:
    """A (possibly unbound) linear representation.

    Subclasses implement ``size``, ``_leaves``, ``_rho``, ``_drho``, ``_perm``, ``T`` and ``_bind``.
    """

    # ------------------------------------------------------------- structure
    def size(self) -> int:
        raise NotImplementedError

    def _leaves(self) -> list["Rep"]:
        raise NotImplementedError

    @property
    def key(self):
        raise NotImplementedError

    def __eq__(self, other):
        return isinstance(other, Rep) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    @cached_property  # reps are immutable (binding makes a new rep)
    def is_bound(self) -> bool:
        return all(leaf.G is not None for leaf in self._leaves() if isinstance(leaf, BaseRep))

    @cached_property
    def G(self) -> Group | None:
        """The group this rep is a rep of: the common group of its leaves, or the direct
        product of all their factors when leaves belong to different groups."""
        groups = []
        for leaf in self._leaves():
            g = leaf.G
            if g is None:
                if isinstance(leaf, BaseRep):
                    return None
                continue
            if g not in groups:
                groups.append(g)
        if not groups:
            return None
        if len(groups) == 1:
            return groups[0]
        factors = []
        for g in groups:
            for f in g.factors:
                if f not in factors:
                    factors.append(f)
        return DirectProduct(*factors)

    def _require_group(self) -> Group:
        if not self.is_bound:
            raise ValueError(f"rep {self} is unbound: give it a group first, e.g. ({self})(S(3))")
        G = self.G
        if G is None:  # only scalars
            from ..groups import Trivial
            return Trivial(1)
        return G

    @cached_property
    def monomials(self):
        """The monomial blocks of this rep (see :class:`eqsolve.reps.monomial.Monomial`)."""
        from .monomial import monomials_of
        return monomials_of(self)

    @property
    def is_permutation(self) -> bool:
        """Whether every group element acts by permuting coordinates."""
        return all(leaf.G is None or leaf.G.is_permutation for leaf in self._leaves())

    # --------------------------------------------------------------- algebra
    def __add__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool) and other == 0:
            return self  # additive identity, so that sum(reps) works
        other = _coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return SumRep([(self, 1), (other, 1)])

    def __radd__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool) and other == 0:
            return self
        other = _coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return SumRep([(other, 1), (self, 1)])

    def __mul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return _multiplicity(self, other)
        if isinstance(other, Rep):
            return ProductRep([self, other])
        return NotImplemented

    def __rmul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return _multiplicity(self, other)
        return NotImplemented

    def __pow__(self, k):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"tensor power needs an int exponent, got {type(k).__name__}")
        if k < 0:
            raise ValueError(f"tensor power of {self} must be >= 0, got {k}")
        if k == 0:
            return ScalarRep(self.G if self.is_bound else None)
        _check_axes(int(k), f"the tensor power ({self})**{k}")
        return ProductRep([self] * int(k)) if k > 1 else self

    def __rshift__(self, other):
        if not isinstance(other, Rep):
            return NotImplemented
        return MapRep(self, other)

    def __lshift__(self, other):
        if not isinstance(other, Rep):
            return NotImplemented
        return MapRep(other, self)

    @property
    def T(self) -> "Rep":
        raise NotImplementedError

    def __call__(self, G: Group) -> "Rep":
        if not isinstance(G, Group):
            raise TypeError(f"a rep is bound to a Group, got {type(G).__name__}")
        return self._bind(G)

    def _bind(self, G: Group) -> "Rep":
        raise NotImplementedError

    # ----------------------------------------------------------- group action
    def _elements(self, g: np.ndarray, what: str = "element") -> dict:
        """Split a (d, d) element of self.G into {factor: block}."""
        G = self._require_group()
        g = np.asarray(g, dtype=np.float64)
        if g.shape != (G.d, G.d):
            raise ValueError(f"{self} is a rep of {G}, whose {what}s are ({G.d}, {G.d}) matrices; "
                             f"got shape {g.shape}")
        if isinstance(G, DirectProduct):
            return G.split(g)
        return {G: g}

    def rho(self, g: np.ndarray) -> np.ndarray:
        """Dense matrix (size, size) of the group element g (a (d, d) element of ``self.G``)."""
        _check_dense_size(self, self.size() ** 2, "rho(g)")
        return self._rho(self._elements(g))

    def drho(self, A: np.ndarray) -> np.ndarray:
        """Dense matrix (size, size) of the Lie-algebra element A (a (d, d) matrix)."""
        _check_dense_size(self, self.size() ** 2, "drho(A)")
        return self._drho(self._elements(A, "Lie-algebra element"))

    def _rho(self, elems: dict) -> np.ndarray:
        raise NotImplementedError

    def _drho(self, algs: dict) -> np.ndarray:
        raise NotImplementedError

    def _perm(self, perms: dict) -> np.ndarray:
        """Index permutation (size,) for permutation elements {factor: (d_f,) int array}."""
        raise NotImplementedError

    # --------------------------------------------------------------- solving
    def equivariant_basis(self, method: str = "auto", cache: bool = True,
                           max_seconds: float | None = 60.0):  # = eqsolve.solve.MAX_SECONDS
        """The basis of the invariant subspace {v : rho(g) v = v for all g}.

        Returns a :class:`eqsolve.solve.Basis` (``.dim``, ``.labels``, ``.dense()`` giving
        (size, dim) orthonormal columns). For ``rep_in >> rep_out`` a column reshapes to a
        (size(rep_out), size(rep_in)) weight matrix. A block whose estimated work is over
        ``max_seconds`` is refused with the estimate (``None`` lifts the limit).
        """
        from ..solve import solve_basis
        return solve_basis(self, method=method, cache=cache, max_seconds=max_seconds)

    def equivariant_projector(self, method: str = "auto"):
        """The orthogonal projector Q Q^T onto the invariant subspace, as a lazy
        ``scipy.sparse.linalg.LinearOperator`` (size, size)."""
        return self.equivariant_basis(method=method).projector()

    def __repr__(self):
        return str(self)


def _check_dense_size(rep: Rep, n_entries: int, what: str) -> None:
    from ..memory import check_fits
    check_fits(n_entries * 8, f"{what} of {rep} (size {rep.size()})")


def _coerce(other):
    if isinstance(other, Rep):
        return other
    if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
        if other <= 0:
            raise ValueError(f"cannot add the integer {other} to a rep (use n*Scalar for n >= 1 scalars)")
        return _multiplicity(ScalarRep(), other)
    return NotImplemented


def _multiplicity(rep: Rep, n: int) -> Rep:
    if n < 0:
        raise ValueError(f"multiplicity of {rep} must be a positive integer, got {n}")
    if n == 0:
        raise ValueError(f"multiplicity 0 of {rep} gives the zero rep, which eqsolve does not represent")
    return rep if n == 1 else SumRep([(rep, int(n))])


# ====================================================================== leaves
class ScalarRep(Rep):
    """The trivial one-dimensional rep (``Scalar``); ``Scalar(G)`` records the group."""

    def __init__(self, G: Group | None = None):
        self._G = G

    @property
    def G(self):
        return self._G

    def size(self):
        return 1

    def _leaves(self):
        return [self]

    @property
    def key(self):
        return ("Scalar",)

    @property
    def T(self):
        return self

    def _bind(self, G):
        return ScalarRep(G)

    def _rho(self, elems):
        return np.ones((1, 1))

    def _drho(self, algs):
        return np.zeros((1, 1))

    def _perm(self, perms):
        return np.zeros(1, dtype=np.int64)

    def __str__(self):
        return "V⁰"


class BaseRep(Rep):
    """The defining rep V of a group on R^d (``dual=True``: the dual rep V*, rho(g)^{-T}).

    For groups with orthogonal generators (permutations, SO(n), O(n)) V* equals V and the
    dual flag is dropped.
    """

    def __init__(self, G: Group | None = None, dual: bool = False):
        if G is not None and not isinstance(G, Group):
            raise TypeError(f"V(G) needs a Group, got {type(G).__name__}")
        self._G = G
        self.dual = bool(dual) and not (G is not None and G.is_orthogonal)

    @property
    def G(self):
        return self._G

    def size(self):
        if self._G is None:
            raise ValueError("the unbound rep V has no size: bind it first, e.g. V(S(3))")
        return self._G.d

    def _leaves(self):
        return [self]

    @property
    def key(self):
        return ("V", None if self._G is None else self._G.key, self.dual)

    @property
    def T(self):
        return BaseRep(self._G, not self.dual)

    def _bind(self, G):
        if self._G is not None:
            if self._G == G:
                return self
            raise ValueError(f"{self} is already a rep of {self._G}; it cannot be applied to {G}")
        return BaseRep(G, self.dual)

    def __call__(self, G):
        if not isinstance(G, Group):
            raise TypeError(f"V(G) needs a Group, got {type(G).__name__}")
        return self._bind(G)

    def _element(self, elems, identity: bool) -> np.ndarray:
        blocks = []
        for f in self._G.factors:
            m = elems.get(f)
            blocks.append(m if m is not None else (np.eye(f.d) if identity else np.zeros((f.d, f.d))))
        return blocks[0] if len(blocks) == 1 else scipy.linalg.block_diag(*blocks)

    def _rho(self, elems):
        g = self._element(elems, True)
        return np.linalg.inv(g).T if self.dual else g

    def _drho(self, algs):
        a = self._element(algs, False)
        return -a.T if self.dual else a

    def _perm(self, perms):
        parts, off = [], 0
        for f in self._G.factors:
            p = perms.get(f)
            parts.append((np.arange(f.d) if p is None else p) + off)
            off += f.d
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def __str__(self):
        name = "V" if self._G is None else f"V[{self._G}]"
        return name + ("*" if self.dual else "")


# ================================================================== composites
class SumRep(Rep):
    """Direct sum of reps with multiplicities: terms [(rep, multiplicity), ...]."""

    def __init__(self, terms):
        flat: list[list] = []

        def push(r, m):
            if flat and flat[-1][0] == r:
                flat[-1][1] += m
            else:
                flat.append([r, m])

        for rep, mult in terms:
            if isinstance(mult, bool) or not isinstance(mult, (int, np.integer)):
                raise TypeError(f"multiplicity of {rep} must be an int, got {type(mult).__name__}")
            if mult <= 0:
                raise ValueError(f"multiplicity of {rep} must be a positive integer, got {mult}")
            if mult > MAX_BLOCKS:
                raise ValueError(f"multiplicity {mult} of {rep} exceeds the limit {MAX_BLOCKS}: each copy is a "
                                 f"separate block of the rep. Use a smaller multiplicity.")
            if not isinstance(rep, Rep):
                raise TypeError(f"cannot add a {type(rep).__name__} to a rep")
            if not isinstance(rep, SumRep):
                push(rep, int(mult))
            elif len(rep.terms) == 1:
                push(rep.terms[0][0], rep.terms[0][1] * int(mult))
            else:
                for _ in range(int(mult)):
                    for r, m in rep.terms:
                        push(r, m)
        self.terms: list[tuple[Rep, int]] = [(r, int(m)) for r, m in flat]

    @_memoized_size
    def size(self):
        return sum(r.size() * m for r, m in self.terms)

    def _leaves(self):
        return [leaf for r, _ in self.terms for leaf in r._leaves()]

    @property
    def key(self):
        return ("Sum", tuple((r.key, m) for r, m in self.terms))

    @property
    def T(self):
        return SumRep([(r.T, m) for r, m in self.terms])

    def _bind(self, G):
        return SumRep([(r._bind(G), m) for r, m in self.terms])

    def _rho(self, elems):
        return scipy.linalg.block_diag(*[r._rho(elems) for r, m in self.terms for _ in range(m)])

    def _drho(self, algs):
        return scipy.linalg.block_diag(*[r._drho(algs) for r, m in self.terms for _ in range(m)])

    def _perm(self, perms):
        parts, off = [], 0
        for r, m in self.terms:
            p = r._perm(perms)
            for _ in range(m):
                parts.append(p + off)
                off += len(p)
        return np.concatenate(parts)

    def __str__(self):
        return "+".join(str(r) if m == 1 else f"{m}{r}" for r, m in self.terms)


class ProductRep(Rep):
    """Tensor (Kronecker) product of reps, row-major. Nested products are flattened and
    scalar factors dropped."""

    def __init__(self, factors):
        flat = []
        for f in factors:
            if not isinstance(f, Rep):
                raise TypeError(f"cannot take the tensor product of a rep and a {type(f).__name__}")
            if isinstance(f, ProductRep) and not isinstance(f, MapRep):
                flat.extend(f.factors)
            elif isinstance(f, ScalarRep):
                continue
            else:
                flat.append(f)
        if not flat:
            flat = [ScalarRep(next((f.G for f in factors if f.G is not None), None))]
        _check_axes(len(flat), "a tensor product")
        self.factors: list[Rep] = flat

    @_memoized_size
    def size(self):
        return math.prod(f.size() for f in self.factors)

    def _leaves(self):
        return [leaf for f in self.factors for leaf in f._leaves()]

    @property
    def key(self):
        return ("Prod", tuple(f.key for f in self.factors))

    @property
    def T(self):
        return ProductRep([f.T for f in self.factors])

    def _bind(self, G):
        return ProductRep([f._bind(G) for f in self.factors])

    def _rho(self, elems):
        out = np.ones((1, 1))
        for f in self.factors:
            out = np.kron(out, f._rho(elems))
        return out

    def _drho(self, algs):
        mats = [f._drho(algs) for f in self.factors]
        sizes = [m.shape[0] for m in mats]
        out = np.zeros((math.prod(sizes),) * 2)
        for i, m in enumerate(mats):
            left = np.eye(math.prod(sizes[:i]))
            right = np.eye(math.prod(sizes[i + 1:]))
            out += np.kron(np.kron(left, m), right)
        return out

    def _perm(self, perms):
        out = np.zeros(1, dtype=np.int64)
        for f in self.factors:
            p = f._perm(perms)
            out = (out[:, None] * len(p) + p[None, :]).reshape(-1)
        return out

    def __str__(self):
        parts, i = [], 0
        fs = self.factors
        while i < len(fs):
            j = i
            while j < len(fs) and fs[j] == fs[i]:
                j += 1
            s = str(fs[i])
            s = f"({s})" if isinstance(fs[i], SumRep) else s
            parts.append(s if j - i == 1 else f"{s}^{j - i}")
            i = j
        return "⊗".join(parts)


class MapRep(ProductRep):
    """Linear maps ``rep_in >> rep_out``: the rep ``rep_out * rep_in.T`` that remembers both
    sides. A vector of this rep is a (size(rep_out), size(rep_in)) matrix, row-major."""

    def __init__(self, rep_in: Rep, rep_out: Rep):
        if not isinstance(rep_in, Rep) or not isinstance(rep_out, Rep):
            raise TypeError("rep_in >> rep_out needs two reps")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.factors = [rep_out, rep_in.T]

    @property
    def key(self):
        return ("Map", self.rep_in.key, self.rep_out.key)

    def _bind(self, G):
        return MapRep(self.rep_in._bind(G), self.rep_out._bind(G))

    @property
    def T(self):
        return ProductRep([f.T for f in self.factors])

    def __str__(self):
        return f"{self.rep_in}→{self.rep_out}"


# ============================================================== public makers
V = BaseRep(None)
Scalar = ScalarRep(None)


def T(p: int, q: int = 0, G: Group | None = None) -> Rep:
    """The tensor rep T(p, q) = V^{⊗p} ⊗ (V*)^{⊗q}, bound to G if given."""
    for name, k in (("p", p), ("q", q)):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"T(p, q): {name} must be an int, got {type(k).__name__}")
        if k < 0:
            raise ValueError(f"T(p, q): {name} must be >= 0, got {k}")
    _check_axes(int(p) + int(q), f"T({p}, {q})")
    base = V if G is None else V(G)
    rep = ProductRep([base] * p + [base.T] * q) if p + q else ScalarRep(G)
    return rep
