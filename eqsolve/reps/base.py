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
MAX_BLOCKS = 10**6
"""The most monomial blocks a rep may split into (a multiplicity, or sums raised to powers);
each block is a Python object, so a larger rep is refused up front instead of hanging."""


def _check_axes(k: int, what: str) -> None:
    if k > MAX_AXES:
        raise ValueError(
            f"{what} has {k} tensor factors; eqsolve allows at most {MAX_AXES} "
            f"(its invariant basis could not be computed or stored). Use a smaller power."
        )


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

    Built-in subclasses implement ``size``, ``_leaves``, ``_rho``, ``_drho``, ``_perm``, ``T``
    and ``_bind``. A *user* representation (as in EMLP's "new representations" tutorial) only
    sets ``self.G`` and defines ``rho(M)`` -- the (n, n) matrix of a group element M given as a
    (G.d, G.d) matrix -- and, for Lie groups, optionally ``drho(A)`` (otherwise it is taken
    from ``rho`` by a Richardson-extrapolated central difference of ``rho(expm(tA))``). It may
    override ``size()``, ``__str__``, ``__call__(G)`` (to bind an unbound instance) and ``key``;
    everything else (sums, products, duals, solving, verification, layers) works as for a
    built-in rep. Its default ``key`` is its class and public attributes; its dual ``.T`` is
    itself for orthogonal groups (as in EMLP) and the inverse-transpose rep otherwise.
    """

    # ------------------------------------------------------------- structure
    def size(self) -> int:
        """Dimension of the rep (a user rep: read off ``rho`` at the identity)."""
        value = self.__dict__.get("_user_size")
        if value is None:
            self._require_user_rho()
            G = self._user_group("size()")
            value = self._user_size = int(np.asarray(self.rho(np.eye(G.d))).shape[-1])
        return value

    def _leaves(self) -> list["Rep"]:
        return [self]  # a user rep is a leaf

    @property
    def key(self):
        """Value key of a user rep: its class, group and public attributes."""
        parts = []
        for name, value in sorted(vars(self).items()):
            if name.startswith("_") or name in _CACHED_NAMES:
                continue
            parts.append((name, _freeze(value, self, name)))
        G = self.G
        return ("UserRep", type(self).__module__, type(self).__qualname__, None if G is None else G.key, tuple(parts))

    def __eq__(self, other):
        return isinstance(other, Rep) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    @property
    def _is_defining(self) -> bool:
        """True only for the defining rep V(G) of a single group (what closed-form solvers need)."""
        return False

    @property
    def _permutation_leaf(self) -> bool:
        """A leaf whose group elements act by permuting coordinates (user reps: never)."""
        return False

    @cached_property  # reps are immutable (binding makes a new rep)
    def is_bound(self) -> bool:
        return all(leaf.G is not None for leaf in self._leaves() if not isinstance(leaf, ScalarRep))

    @cached_property
    def G(self) -> Group | None:
        """The group this rep is a rep of: the common group of its leaves, or the direct
        product of all their factors when leaves belong to different groups."""
        groups = []
        for leaf in self._leaves():
            if leaf is self:  # a user leaf that set no group
                return None
            g = leaf.G
            if g is None:
                if not isinstance(leaf, ScalarRep):
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

    def _user_group(self, what: str) -> Group:
        G = self.G
        if G is None:
            raise ValueError(f"{type(self).__name__} {self} has no group: set self.G (or bind it) before {what}")
        if not isinstance(G, Group):
            raise TypeError(f"{type(self).__name__}.G must be a Group, got {type(G).__name__}")
        return G

    @cached_property
    def monomials(self):
        """The monomial blocks of this rep (see :class:`eqsolve.reps.monomial.Monomial`)."""
        from .monomial import monomials_of

        return monomials_of(self)

    @property
    def is_permutation(self) -> bool:
        """Whether every group element acts by permuting coordinates."""
        return all(leaf._permutation_leaf for leaf in self._leaves())

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
        """The dual rep (user reps: itself for orthogonal groups, as in EMLP)."""
        G = self.G
        if G is not None and G.is_orthogonal:
            return self
        return DualRep(self)

    def __call__(self, G: Group) -> "Rep":
        if not isinstance(G, Group):
            raise TypeError(f"a rep is bound to a Group, got {type(G).__name__}")
        return self._bind(G)

    def _bind(self, G: Group) -> "Rep":
        """Bind a user rep: its own ``__call__`` when it defines one, else a copy with ``G``."""
        if type(self).__call__ is not Rep.__call__:
            return self(G)
        if self.G is not None:
            if self.G == G:
                return self
            raise ValueError(f"{self} is already a rep of {self.G}; it cannot be applied to {G}")
        import copy

        out = copy.copy(self)
        for name in _CACHED_NAMES + ("_user_size",):
            out.__dict__.pop(name, None)
        out.G = G
        return out

    # ----------------------------------------------------------- group action
    def _elements(self, g, what: str = "element") -> dict:
        """Split an element of self.G into {factor: block}. ``g`` is a (d, d) matrix (for a
        direct product the Kronecker product of its factors' elements, as in EMLP) or a dict
        ``{factor: matrix}`` (EMLP's form for reps of product groups)."""
        G = self._require_group()
        if isinstance(g, dict):
            if isinstance(G, DirectProduct):
                return G.split(g)  # validates the factors and shapes
            if set(g) != {G}:
                raise ValueError(
                    f"{self} is a rep of {G}; a dict element must be {{{G}: matrix}}, got keys {', '.join(map(str, g))}"
                )
            g = g[G]
        g = _as_element(g)
        if g.shape != (G.d, G.d):
            raise ValueError(f"{self} is a rep of {G}, whose {what}s are ({G.d}, {G.d}) matrices; got shape {g.shape}")
        if isinstance(G, DirectProduct):
            return G.split_lie(g) if what == "Lie-algebra element" else G.split(g)
        return {G: g}

    def rho(self, g: np.ndarray) -> np.ndarray:
        """Dense matrix (size, size) of the group element g (a (d, d) element of ``self.G``, or
        ``{factor: matrix}`` for a product group)."""
        _check_dense_size(self, self.size() ** 2, "rho(g)")
        return self._rho(self._elements(g))

    def rho_dense(self, g) -> np.ndarray:
        """EMLP's name: the dense (size, size) matrix of g (see :meth:`rho`)."""
        _check_dense_size(self, self.size() ** 2, "rho_dense(g)")
        return self._rho(self._elements(g))

    def drho_dense(self, A) -> np.ndarray:
        """EMLP's name: the dense (size, size) matrix of the Lie-algebra element A."""
        _check_dense_size(self, self.size() ** 2, "drho_dense(A)")
        return self._drho(self._elements(A, "Lie-algebra element"))

    def drho(self, A: np.ndarray) -> np.ndarray:
        """Dense matrix (size, size) of the Lie-algebra element A (a (d, d) matrix)."""
        _check_dense_size(self, self.size() ** 2, "drho(A)")
        return self._drho(self._elements(A, "Lie-algebra element"))

    def _leaf_element(self, elems: dict, lie: bool) -> np.ndarray:
        """The (G.d, G.d) element of a user leaf's group from per-factor parts."""
        G = self._user_group("rho(g)")
        if G in elems:
            g = elems[G]
            return g if getattr(g, "Ms", None) is not None else _as_element(g)
        if isinstance(G, DirectProduct):
            return G.element({f: m for f, m in elems.items() if f in G.factors}, lie=lie)
        return np.zeros((G.d, G.d)) if lie else np.eye(G.d)

    def _user_matrix(self, M, what: str) -> np.ndarray:
        R = _as_element(M)
        n = self.size()
        if R.shape != (n, n):
            raise ValueError(f"{type(self).__name__}.{what} must return a ({n}, {n}) matrix, got shape {R.shape}")
        return R

    def _require_user_rho(self) -> None:
        if type(self).rho is Rep.rho:
            raise TypeError(
                f"{type(self).__name__} is a Rep subclass without rho(M): define rho (and drho for Lie "
                f"groups), or size/_rho/_drho/_leaves/key/T/_bind as the built-in reps do"
            )

    def _rho(self, elems: dict) -> np.ndarray:
        self._require_user_rho()
        return self._user_matrix(self.rho(self._leaf_element(elems, lie=False)), "rho(M)")

    def _drho(self, algs: dict) -> np.ndarray:
        A = self._leaf_element(algs, lie=True)
        if type(self).drho is not Rep.drho:
            return self._user_matrix(self.drho(A), "drho(A)")
        return self._numerical_drho(A)

    def _numerical_drho(self, A: np.ndarray) -> np.ndarray:
        """d/dt rho(expm(tA)) at t=0: central differences at h and h/2, Richardson-combined
        (error O(h^4)); exact to ~1e-10 for smooth reps."""
        n = self.size()
        scale = float(np.abs(A).max())
        if scale == 0.0:
            return np.zeros((n, n))
        h = 1e-3 / scale

        def central(t):
            plus = self._user_matrix(self.rho(scipy.linalg.expm(t * A)), "rho(M)")
            minus = self._user_matrix(self.rho(scipy.linalg.expm(-t * A)), "rho(M)")
            return (plus - minus) / (2 * t)

        return (4 * central(h / 2) - central(h)) / 3

    def _perm(self, perms: dict) -> np.ndarray:
        """Index permutation (size,) for permutation elements {factor: (d_f,) int array}."""
        raise TypeError(f"{self} does not act by permuting coordinates (rep.is_permutation is False)")

    # --------------------------------------------------------------- solving
    def equivariant_basis(
        self, method: str = "auto", cache: bool = True, max_seconds: float | None = 60.0
    ):  # = eqsolve.solve.MAX_SECONDS
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

    def __str__(self):
        G = self.G
        return type(self).__name__ + ("" if G is None else f"[{G}]")

    def __repr__(self):
        return str(self)


def _as_element(g) -> np.ndarray:
    """A group element as float64, or complex128 for complex groups (U(n), SU(n))."""
    g = np.asarray(g)
    return g.astype(np.complex128 if np.iscomplexobj(g) else np.float64, copy=False)


_CACHED_NAMES = ("is_bound", "G", "monomials", "_size", "_user_size")


def _freeze(value, rep, name):
    """A hashable stand-in for an attribute of a user rep (for its default key)."""
    if isinstance(value, Group) or isinstance(value, Rep):
        return value.key
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v, rep, name) for v in value)
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"{type(rep).__name__}.{name} ({type(value).__name__}) is not hashable, so the rep has no "
            f"default key: define a `key` property on {type(rep).__name__}"
        ) from None
    return value


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

    @property
    def _permutation_leaf(self) -> bool:
        return True

    def __str__(self):
        return "V⁰"


class BaseRep(Rep):
    """The defining rep V of a single group on R^d (``dual=True``: the dual rep V*,
    rho(g)^{-T}).

    For groups with orthogonal generators (permutations, SO(n), O(n)) V* equals V and the
    dual flag is dropped. The defining rep of a direct product is the tensor product of its
    factors' defining reps (as in EMLP): ``V(G1 * G2)`` returns ``V(G1) * V(G2)``.
    """

    def __init__(self, G: Group | None = None, dual: bool = False):
        if G is not None and not isinstance(G, Group):
            raise TypeError(f"V(G) needs a Group, got {type(G).__name__}")
        if G is not None and len(G.factors) > 1:
            raise TypeError(
                f"BaseRep is the defining rep of one group; {G} is a direct product: use V(G), "
                f"the tensor product of its factors' defining reps"
            )
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
    def _is_defining(self) -> bool:
        return not self.dual

    @property
    def _permutation_leaf(self) -> bool:
        return self._G is not None and self._G.is_permutation

    @property
    def T(self):
        return BaseRep(self._G, not self.dual)

    def _bind(self, G):
        if self._G is not None:
            if self._G == G:
                return self
            raise ValueError(f"{self} is already a rep of {self._G}; it cannot be applied to {G}")
        return defining_rep(G, self.dual)

    def __call__(self, G):
        if not isinstance(G, Group):
            raise TypeError(f"V(G) needs a Group, got {type(G).__name__}")
        return self._bind(G)

    def _element(self, elems, identity: bool) -> np.ndarray:
        m = elems.get(self._G)
        if m is None:
            return np.eye(self._G.d) if identity else np.zeros((self._G.d, self._G.d))
        return _as_element(m)

    def _rho(self, elems):
        g = self._element(elems, True)
        return np.linalg.inv(g).T if self.dual else g

    def _drho(self, algs):
        a = self._element(algs, False)
        return -a.T if self.dual else a

    def _perm(self, perms):
        p = perms.get(self._G)
        return np.arange(self._G.d) if p is None else np.asarray(p)

    def __str__(self):
        name = "V" if self._G is None else f"V[{self._G}]"
        return name + ("*" if self.dual else "")


def defining_rep(G: Group, dual: bool = False) -> Rep:
    """V(G): the defining rep of G; for a direct product the tensor product of its factors'
    (EMLP's meaning of ``V(G1 * G2)``)."""
    if len(G.factors) > 1:
        return ProductRep([BaseRep(f, dual) for f in G.factors])
    return BaseRep(G, dual)


def Vsum(G: Group) -> Rep:
    """The direct-sum rep V(G1) + V(G2) + ... of a product group (block-diagonal action on
    R^{d1 + d2 + ...}); for a single group just V(G)."""
    if not isinstance(G, Group):
        raise TypeError(f"Vsum(G) needs a Group, got {type(G).__name__}")
    parts = [BaseRep(f) for f in G.factors]
    return parts[0] if len(parts) == 1 else SumRep([(p, 1) for p in parts])


class DualRep(Rep):
    """The dual of a user rep: rho*(g) = rho(g)^{-T}, drho*(A) = -drho(A)^T."""

    def __init__(self, rep: Rep):
        self.rep = rep

    @property
    def G(self):
        return self.rep.G

    def size(self):
        return self.rep.size()

    @property
    def key(self):
        return ("Dual", self.rep.key)

    @property
    def T(self):
        return self.rep

    def _bind(self, G):
        return DualRep(self.rep._bind(G))

    def _rho(self, elems):
        return np.linalg.inv(self.rep._rho(elems)).T

    def _drho(self, algs):
        return -self.rep._drho(algs).T

    def __str__(self):
        return f"{self.rep}*"


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
                raise ValueError(
                    f"multiplicity {mult} of {rep} exceeds the limit {MAX_BLOCKS}: each copy is a "
                    f"separate block of the rep. Use a smaller multiplicity."
                )
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
        out = np.zeros((math.prod(sizes),) * 2, dtype=np.result_type(*mats))  # complex for U(n), SU(n)
        for i, m in enumerate(mats):
            left = np.eye(math.prod(sizes[:i]))
            right = np.eye(math.prod(sizes[i + 1 :]))
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
