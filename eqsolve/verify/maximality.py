"""Independent counts of the invariant subspace dimension, and the basis check.

A basis is right iff (i) every column is invariant, (ii) the columns are orthonormal (hence
independent), and (iii) it is maximal: its dimension equals the dimension of the invariant
subspace computed *independently of the solvers*:

- ``"burnside"``: for permutation reps, the number of orbits = (1/|G|) sum_g fix(g). A monomial
  block whose axes carry the defining reps of factors f (k_f axes each) has
  fix(g) = prod_f fix_f(g_f)^{k_f}, so its count is prod_f E_{g in f}[fix(g)^{k_f}]. For S(n) the
  moment is exact in closed form, grouping the n! elements by their number of fixed points
  (C(n, j) D(n - j) elements fix exactly j points, D the derangement numbers), so it scales to
  n = 1000; other permutation groups up to ``BURNSIDE_MAX_ORDER`` elements are enumerated
  (sympy's Schreier-Sims). Exact rational arithmetic.
- ``"dense-svd"``: the nullity of the stacked dense constraints [rho(h) - I; drho(A)] built from
  ``rep._rho`` / ``rep._drho`` (Kronecker products formed explicitly), one SVD, for small reps.
- ``"matchings"``: for O(n) tensor reps, (k-1)!! perfect matchings of k axes (k even, k <= n).
- ``"orbits"``: connected components (networkx) of the coordinate graph of a permutation rep.
- ``"schur-weyl"``: for tensor reps of U(n) and SU(n) (complex dimensions), also inside direct
  products with permutation groups: a block's invariants are the tensor product of each
  factor's, so its count is the product over factors of Schur-Weyl counts (U(n), SU(n)) and
  Burnside moments (permutation factors). U(n): V^{⊗p} ⊗ V*^{⊗q} has sum_lambda (f^lambda)^2
  invariants (lambda ⊢ p with at most n rows) if p = q, else none; SU(n): for p = q + k n,
  sum_{lambda ⊢ q} f^lambda f^{lambda + (k^n)} (f^lambda by the hook length formula).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import networkx as nx
import numpy as np

from ..groups.unitary import UnitaryGroup
from ..reps.base import BaseRep, Rep
from ..solve.basis import RepBasis
from .equivariance import DEFAULT_TOL, _as_array, group_elements, invariance_errors
from .report import Check, ColumnWitness, DependenceWitness, MissingInvariantWitness, Report

__all__ = [
    "basis",
    "BasisReport",
    "expected_dimension",
    "dense_nullspace",
    "burnside_count",
    "matching_count",
    "orbit_count",
    "sn_fixed_point_moment",
    "schur_weyl_count",
]

BURNSIDE_MAX_ORDER = 100_000
DENSE_SVD_MAX = 1300
ORBIT_MAX = 300_000
RANK_RTOL = 1e-8
MAX_CHECK_SIZE = 2_000_000
MAX_CHECK_ENTRIES = 20_000_000


# ================================================================ Burnside
@lru_cache(maxsize=None)
def _derangements(m: int) -> int:
    a, b = 1, 0  # D(0), D(1)
    if m == 0:
        return 1
    for k in range(2, m + 1):
        a, b = b, (k - 1) * (a + b)
    return b


@lru_cache(maxsize=None)
def sn_fixed_point_moment(n: int, k: int) -> Fraction:
    """E_{g in S(n)}[fix(g)^k], exactly: sum_j C(n,j) D(n-j) j^k / n!."""
    total = sum(math.comb(n, j) * _derangements(n - j) * j**k for j in range(n + 1))
    return Fraction(total, math.factorial(n))


@lru_cache(maxsize=64)
def _fixed_point_histogram(group) -> tuple[tuple[int, int], ...]:
    """((fixed points, number of elements), ...) of a permutation group, by enumeration."""
    order = group.order()
    if order > BURNSIDE_MAX_ORDER:
        raise ValueError(f"{group} has {order} elements; Burnside enumeration stops at {BURNSIDE_MAX_ORDER}")
    ident = np.arange(group.d)
    counts: dict[int, int] = {}
    chunk = []
    for af in group.sympy_group.generate_schreier_sims(af=True):
        chunk.append(af)
        if len(chunk) == 4096:
            _accumulate(counts, np.array(chunk), ident)
            chunk = []
    if chunk:
        _accumulate(counts, np.array(chunk), ident)
    if sum(counts.values()) != order:
        raise ValueError(f"enumerated {sum(counts.values())} elements of {group}, expected {order}")
    return tuple(sorted(counts.items()))


def _accumulate(counts, arr, ident):
    fix = (arr == ident).sum(axis=1)
    for v, c in zip(*np.unique(fix, return_counts=True)):
        counts[int(v)] = counts.get(int(v), 0) + int(c)


def fixed_point_moment(group, k: int) -> Fraction:
    """E_{g in group}[fix(g)^k] for a permutation group (closed form for S(n))."""
    if k == 0:
        return Fraction(1)
    if group.is_full_symmetric:
        return sn_fixed_point_moment(group.d, k)
    hist = _fixed_point_histogram(group)
    return Fraction(sum(c * j**k for j, c in hist), sum(c for _, c in hist))


def burnside_count(rep: Rep) -> int | None:
    """Number of orbits of a permutation rep by Burnside's lemma, or None if not applicable.

    A leaf ``V(G1 x G2 ...)`` (the direct sum of the factors' points) has
    fix(g) = sum_f fix_f(g_f); expanding the product over the leaves gives a sum over the choice
    of one factor per leaf, and factors are independent, so every term is a product of moments.
    """
    if not rep.is_permutation:
        return None
    total = Fraction(0)
    for mono in rep.monomials:
        if not mono.leaves:
            total += 1
            continue
        for leaf in mono.leaves:
            for f in leaf.G.factors:
                if not f.is_full_symmetric and f.order() > BURNSIDE_MAX_ORDER:
                    return None
        if math.prod(len(leaf.G.factors) for leaf in mono.leaves) > 100_000:
            return None
        for choice in itertools.product(*[leaf.G.factors for leaf in mono.leaves]):
            ks: dict = {}
            for f in choice:
                ks[f] = ks.get(f, 0) + 1
            term = Fraction(1)
            for f, k in ks.items():
                term *= fixed_point_moment(f, k)
            total += term
    if total.denominator != 1:
        raise ArithmeticError(f"Burnside count of {rep} is not an integer: {total}")
    return int(total)


# ======================================================= Brauer matchings
def matching_count(rep: Rep) -> int | None:
    """Invariants of O(n) tensor reps: a block of k axes has none for odd k (-I is in O(n)) and
    (k-1)!! (its perfect matchings, the Brauer diagrams) for even k <= n, where the matchings are
    independent. None when the rep is not an O(n) tensor rep or some k > n."""
    G = rep.G
    if not G.is_full_orthogonal:
        return None
    n = G.d
    total = 0
    for mono in rep.monomials:
        k = len(mono.leaves)
        if k % 2:
            continue
        if k > n:
            return None
        total += math.prod(range(k - 1, 0, -2)) if k else 1
    return total


# ========================================================= Schur-Weyl (U(n), SU(n))
def _partitions(m: int, max_parts: int, largest: int | None = None):
    """Partitions of m (weakly decreasing tuples) with at most ``max_parts`` parts."""
    largest = m if largest is None else largest
    if m == 0:
        yield ()
        return
    if max_parts == 0:
        return
    for first in range(min(m, largest), 0, -1):
        for rest in _partitions(m - first, max_parts - 1, first):
            yield (first,) + rest


def _hook_dimension(shape) -> int:
    """f^lambda: standard Young tableaux of the shape (hook length formula)."""
    shape = [r for r in shape if r]
    if not shape:
        return 1
    cols = [sum(1 for r in shape if r > j) for j in range(shape[0])]
    hooks = math.prod((r - j - 1) + (cols[j] - i - 1) + 1 for i, r in enumerate(shape) for j in range(r))
    return math.factorial(sum(shape)) // hooks


@lru_cache(maxsize=None)
def unitary_invariants(n: int, p: int, q: int, special: bool) -> int:
    """Complex dimension of the invariants of V^{⊗p} ⊗ V*^{⊗q} under U(n) or SU(n)."""
    if p < q:
        p, q = q, p
    if not special:
        return sum(_hook_dimension(lam) ** 2 for lam in _partitions(p, n)) if p == q else 0
    if (p - q) % n:
        return 0
    k = (p - q) // n
    return sum(
        _hook_dimension(lam) * _hook_dimension([r + k for r in list(lam) + [0] * (n - len(lam))])
        for lam in _partitions(q, n)
    )


SCHUR_WEYL_MAX_AXES = 40


def schur_weyl_count(rep: Rep) -> int | None:
    """Invariants of a tensor rep of U(n) / SU(n) (complex dimension), also of products with
    permutation factors (see module docstring), or None when the rep is of another kind."""
    G = rep.G
    if G is None or not any(isinstance(f, UnitaryGroup) for f in G.factors):
        return None
    total = Fraction(0)
    for mono in rep.monomials:
        if len(mono.leaves) > SCHUR_WEYL_MAX_AXES:
            return None
        axes: dict = {}
        for leaf in mono.leaves:
            if not isinstance(leaf, BaseRep):
                return None  # a user rep: no closed count
            axes.setdefault(leaf.G, [0, 0])[1 if leaf.dual else 0] += 1
        term = Fraction(1)
        for f, (p, q) in axes.items():
            if isinstance(f, UnitaryGroup):
                term *= unitary_invariants(f.d, p, q, f.special)
            elif f.is_permutation and (f.is_full_symmetric or f.order() <= BURNSIDE_MAX_ORDER):
                term *= fixed_point_moment(f, p + q)
            else:
                return None
        total += term
    if total.denominator != 1:
        raise ArithmeticError(f"Schur-Weyl count of {rep} is not an integer: {total}")
    return int(total)


# ================================================================ orbits
def _coordinate_orbits(rep: Rep) -> list[np.ndarray]:
    """Orbits of the coordinates of a permutation rep (networkx connected components)."""
    m = rep.size()
    G = rep._require_group()
    graph = nx.Graph()
    graph.add_nodes_from(range(m))
    for f in G.factors:
        for p in f.perm_generators:
            q = rep._perm({f: np.asarray(p)})
            graph.add_edges_from(zip(range(m), q.tolist()))
    return [np.array(sorted(c)) for c in nx.connected_components(graph)]


def orbit_count(rep: Rep) -> int | None:
    if not rep.is_permutation or rep.size() > ORBIT_MAX:
        return None
    return len(_coordinate_orbits(rep))


# ============================================================ dense SVD
def _dense_constraints(rep: Rep) -> np.ndarray:
    G = rep._require_group()
    m = rep.size()
    rows = []
    for f in G.factors:
        for h in f.discrete_generators:
            rows.append(rep._rho({f: h}) - np.eye(m))
        for A in f.lie_algebra:
            rows.append(rep._drho({f: A}))
    return np.concatenate(rows, axis=0) if rows else np.zeros((0, m))


def dense_nullspace(rep: Rep, rtol: float = RANK_RTOL) -> np.ndarray | None:
    """Orthonormal basis (size, k) of the invariant subspace from one SVD of the stacked dense
    constraints, or None when the rep is larger than ``DENSE_SVD_MAX``."""
    m = rep.size()
    if m > DENSE_SVD_MAX:
        return None
    C = _dense_constraints(rep)
    if C.shape[0] == 0:
        return np.eye(m)
    if C.shape[0] > m:  # R of a QR has the same nullspace and is only (m, m)
        C = np.linalg.qr(C, mode="r")
    _, s, vt = np.linalg.svd(C, full_matrices=True)
    scale = max(1.0, s[0] if len(s) else 0.0)
    rank = int((s > rtol * scale).sum())
    return vt[rank:].conj().T  # complex C (U(n), SU(n)): the nullspace is conj(vt)^T


def expected_dimension(rep: Rep, method: str = "auto") -> tuple[dict, np.ndarray | None]:
    """Independent counts ``{method: dim}`` of the invariant subspace of ``rep`` and, when the
    dense SVD ran, its nullspace (size, k).

    ``method``: ``"auto"`` (Burnside, Brauer matchings or Schur-Weyl when they apply, plus dense
    SVD for small reps, orbits as a fall-back), or one of ``"burnside"``, ``"matchings"``,
    ``"schur-weyl"``, ``"dense-svd"``, ``"orbits"``.
    """
    counts: dict = {}
    N = None
    if method in ("auto", "burnside"):
        b = burnside_count(rep)
        if b is not None:
            counts["burnside"] = b
    if method in ("auto", "matchings"):
        mc = matching_count(rep)
        if mc is not None:
            counts["matchings"] = mc
    if method in ("auto", "schur-weyl"):
        sw = schur_weyl_count(rep)
        if sw is not None:
            counts["schur-weyl"] = sw
    if method in ("auto", "dense-svd") and (method == "dense-svd" or rep.size() <= 400 or not counts):
        N = dense_nullspace(rep)
        if N is not None:
            counts["dense-svd"] = N.shape[1]
    if method == "orbits" or (method == "auto" and not counts):
        o = orbit_count(rep)
        if o is not None:
            counts["orbits"] = o
    return counts, N


# ============================================================ the basis check
@dataclass(repr=False)
class BasisReport(Report):
    """Result of :func:`basis`.

    Attributes:
        dim: number of columns checked.
        expected: independent counts ``{method: dim}``.
        invariance_error: worst relative invariance error over columns and elements.
        orthonormality_error: max |Q^T Q - I|.
        smallest_singular_value: of Q (independence).
        missing: :class:`MissingInvariantWitness` when the basis is not maximal.
        bad_column: :class:`ColumnWitness` for the worst non-invariant column.
        dependence: :class:`DependenceWitness` when the columns are dependent.
    """

    dim: int = 0
    expected: dict = field(default_factory=dict)
    invariance_error: float = 0.0
    orthonormality_error: float = 0.0
    smallest_singular_value: float = 0.0
    missing: MissingInvariantWitness | None = None
    bad_column: ColumnWitness | None = None
    dependence: DependenceWitness | None = None
    tol: float = DEFAULT_TOL


def basis(
    basis_or_rep,
    rep: Rep | None = None,
    *,
    samples: int = 4,
    seed: int = 0,
    tol: float = DEFAULT_TOL,
    method: str = "auto",
    count: str = "auto",
) -> BasisReport:
    """Check a basis of the invariant subspace of a rep: invariant, orthonormal, maximal.

    Args:
        basis_or_rep: a :class:`eqsolve.solve.RepBasis`; a Rep (solved here with ``method``); or
            a matrix Q (size, k) whose columns are the claimed basis (give ``rep``).
        rep: the rep, when a matrix is given.
        samples: random group elements tried besides the generators.
        tol: relative tolerance of the invariance and orthonormality errors.
        count: how the true dimension is counted (see :func:`expected_dimension`).

    Returns:
        :class:`BasisReport`. A failing basis carries witnesses: the column and group element
        that breaks invariance, a dependency among columns, or an invariant vector the basis
        misses (with its distance from the span).
    """
    t0 = time.perf_counter()
    labels = None
    if isinstance(basis_or_rep, (RepBasis, Rep)):
        B0 = basis_or_rep if isinstance(basis_or_rep, RepBasis) else None
        r0 = basis_or_rep.rep if B0 is not None else basis_or_rep
        dim0 = B0.dim if B0 is not None else None
        if r0.is_bound and (r0.size() > MAX_CHECK_SIZE or (dim0 or 1) * r0.size() > MAX_CHECK_ENTRIES):
            raise ValueError(
                f"verify.basis checks dense columns; {r0} has size {r0.size()}"
                + (f" and {dim0} elements" if dim0 else "")
                + f" (limits: size {MAX_CHECK_SIZE}, size x dim {MAX_CHECK_ENTRIES}); "
                "check a smaller instance of the same group (the structure does not depend on n "
                "for S(n) patterns)"
            )
    if isinstance(basis_or_rep, RepBasis):
        rep = basis_or_rep.rep
        Q = basis_or_rep.dense()
        labels = list(basis_or_rep.labels)
        source = f"solved basis ({', '.join(sorted(basis_or_rep.methods))})"
    elif isinstance(basis_or_rep, Rep):
        rep = basis_or_rep
        B = rep.equivariant_basis(method=method)
        Q = B.dense()
        labels = list(B.labels)
        source = f"solved basis ({', '.join(sorted(B.methods))})"
    else:
        if rep is None:
            raise TypeError("verify.basis(Q, rep): give the rep the columns of Q belong to")
        Q = _as_array(basis_or_rep)  # complex columns (U(n), SU(n)) stay complex
        if Q.ndim == 1:
            Q = Q[:, None]
        if Q.ndim != 2 or Q.shape[0] != rep.size():
            raise ValueError(f"Q must be (size, k) with size {rep.size()} for {rep}; got shape {Q.shape}")
        source = "user matrix"
    if not rep.is_bound:
        raise ValueError(f"rep {rep} is unbound: bind it to a group first")
    labels = labels if labels is not None else [f"col {k}" for k in range(Q.shape[1])]
    G = rep._require_group()
    k = Q.shape[1]
    report = BasisReport(title=f"basis of {rep} ({source})", dim=k, tol=tol)
    checks = []

    # (i) invariance
    els = group_elements(G, samples, seed)
    if k:
        errs = invariance_errors(rep, Q, els)
        i, j = np.unravel_index(np.argmax(errs), errs.shape)
        report.invariance_error = float(errs[i, j])
        ok = report.invariance_error <= tol
        if not ok:
            report.bad_column = ColumnWitness(int(j), labels[j], els[i], float(errs[i, j]))
        nbad = int((errs.max(axis=0) > tol).sum())
        checks.append(
            Check(
                "(i) every column is invariant",
                ok,
                report.invariance_error,
                f"{len(els)} elements (generators, samples, Lie algebra); "
                + (f"{nbad} column(s) not invariant" if not ok else f"tol {tol:.0e}"),
                report.bad_column,
            )
        )
    else:
        checks.append(Check("(i) every column is invariant", True, 0.0, "no columns"))

    # (ii) orthonormal and independent
    if k:
        gram = Q.conj().T @ Q  # Hermitian Gram matrix (= Q^T Q for real Q)
        report.orthonormality_error = float(np.abs(gram - np.eye(k)).max())
        s = np.linalg.svd(Q, compute_uv=False)
        report.smallest_singular_value = float(s[-1])
        indep = s[-1] > 1e-8 * max(1.0, s[0])
        if not indep:
            _, _, vt = np.linalg.svd(Q, full_matrices=False)
            c = vt[-1].conj()  # Q = U S V^H: Q conj(vt[-1]) = s_min u_min
            cols = [int(x) for x in np.argsort(-np.abs(c)) if abs(c[x]) > 1e-6]
            report.dependence = DependenceWitness(c, float(np.linalg.norm(Q @ c)), cols)
        checks.append(
            Check(
                "(ii) columns are independent",
                bool(indep),
                report.smallest_singular_value,
                "smallest singular value of Q",
                report.dependence,
            )
        )
        checks.append(
            Check(
                "(ii) columns are orthonormal",
                report.orthonormality_error <= max(tol, 1e-9) * 10,
                report.orthonormality_error,
                "max |QᵀQ - I|",
            )
        )
    # (iii) maximal
    counts, N = expected_dimension(rep, count)
    report.expected = counts
    if not counts:
        checks.append(
            Check(
                "(iii) maximal: dim = independent count",
                None,
                k,
                f"no independent count applies to {rep} (size {rep.size()})",
            )
        )
    else:
        vals = set(counts.values())
        agree = len(vals) == 1
        expected = max(vals)
        ok = agree and k == expected and checks[0].passed is not False
        detail = ", ".join(f"{m}: {v}" for m, v in counts.items())
        if not agree:
            detail += " (the independent counts disagree!)"
        witness = None
        if k < expected or (k == expected and checks[0].passed is False):
            witness = _missing_invariant(rep, Q, N, els)
            report.missing = witness
        elif k > expected:
            detail += f"; {k - expected} column(s) too many"
        checks.append(Check("(iii) maximal: dim = independent count", ok, f"{k} vs {expected}", detail, witness))
    report.checks = checks
    report.summary = {"rep": str(rep), "size": rep.size(), "dim": k, "group": str(G)}
    report.seconds = time.perf_counter() - t0
    return report


def _missing_invariant(rep: Rep, Q: np.ndarray, N: np.ndarray | None, els) -> MissingInvariantWitness | None:
    """An invariant unit vector as far as possible from span(Q)."""
    how = None
    if N is None:
        N = dense_nullspace(rep)
        how = "dense SVD nullspace"
    else:
        how = "dense SVD nullspace"
    if N is None and rep.is_permutation and rep.size() <= ORBIT_MAX:
        orbits = _coordinate_orbits(rep)
        N = np.zeros((rep.size(), len(orbits)))
        for c, orb in enumerate(orbits):
            N[orb, c] = 1.0 / np.sqrt(len(orb))
        how = "orbit indicator"
    if N is None or N.shape[1] == 0:
        return None
    Qo, _ = np.linalg.qr(Q) if Q.shape[1] else (np.zeros((Q.shape[0], 0)), None)
    R = N - Qo @ (Qo.conj().T @ N)
    if how == "orbit indicator":
        c = int(np.argmax(np.linalg.norm(R, axis=0)))
        v = N[:, c]
        dist = float(np.linalg.norm(R[:, c]))
    else:
        _, s, vt = np.linalg.svd(R, full_matrices=False)
        v = N @ vt[0].conj()
        dist = float(s[0])
    v = v / np.linalg.norm(v)
    resid = float(invariance_errors(rep, v[:, None], els).max()) if len(els) else 0.0
    return MissingInvariantWitness(v, resid, dist, how)
