"""Theorem 5.1 of Hartford et al. (2018), checked numerically, with witnesses.

For the product group S(N_1) x ... x S(N_D) acting on N_1 x ... x N_D tensors (each factor
permuting one axis), a linear map W is equivariant iff it is a combination of the 2^D
subset-tied matrices W_S, S a subset of the axes:

    W_S[n, n'] = 1  iff  {i : n_i = n'_i} = S.

Axes of size 1 always agree, so only the axes with N_i >= 2 matter: the dimension is
2^(number of axes with N_i >= 2). :func:`exchangeable` checks

(a) the solved basis spans exactly the W_S, and each element is one W_S, labelled with S;
(b) maximality: the invariant subspace has dimension 2^D' by independent counts (Burnside, and a
    dense SVD for small sizes), so no weight can be untied; splitting the support of any W_S in
    two gives a non-equivariant map (the witness);
(c) Propositions 5.2/5.3: random illegal permutations of the flattened tensor (not in the
    product group, decided by Schreier-Sims) get a one-hot x with G W x != W G x for a generic W
    of the span; random legal ones commute;
(d) for square 2-d shapes, and in :func:`jointly_exchangeable`: one S(n) acting on rows and
    columns (V(S(n))**2 >> V(S(n))**2) has 15 equivariant weights for n >= 4 (14 for n = 3),
    more than the 4 subset weights, let alone the 3 left by tying w2 = w3.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..groups import Permutation, S
from ..reps.base import BaseRep, ProductRep
from .equivariance import group_elements, invariance_errors
from .maximality import dense_nullspace, expected_dimension, sn_fixed_point_moment
from .permutations import _perm_checks, commutation_witness, random_illegal
from .report import Check, Report

__all__ = ["exchangeable", "jointly_exchangeable", "ExchangeableReport", "JointReport", "subset_tied_matrix"]

MAX_FLAT = 400  # size of the flattened tensor (the dense basis is size^2 x 2^D)


def _agree(shape: tuple[int, ...]) -> np.ndarray:
    """(D, size, size) bool: axis i of multi-indices n and n' agree."""
    idx = np.indices(shape).reshape(len(shape), -1)
    return idx[:, :, None] == idx[:, None, :]


def subset_tied_matrix(shape: tuple[int, ...], subset) -> np.ndarray:
    """W_S (size, size) for the tensor shape: 1 where the agreeing axes are exactly ``subset``."""
    agree = _agree(tuple(shape))
    mask = np.ones(agree.shape[1:], dtype=bool)
    for i in range(len(shape)):
        mask &= agree[i] if i in subset else ~agree[i]
    return mask.astype(np.float64)


@dataclass(repr=False)
class ExchangeableReport(Report):
    """Result of :func:`exchangeable`.

    Attributes:
        shape, active_axes: the tensor shape and the axes with N_i >= 2.
        expected_dim: 2^len(active_axes); dim: the solved dimension; counts: independent counts.
        subsets: the subset S of each basis element (from its label), in column order.
        span_error: max over S of the distance of W_S / |W_S| from the solved span.
        label_error: max over elements of the distance between the element and W_S / |W_S|.
        untie_errors: {S: invariance error of half of W_S} (all large: no weight can be untied).
        illegal, legal: :class:`PermutationWitness` lists; group_order: |G|.
        joint: the :class:`JointReport` for square 2-d shapes.
        W, coefficients: the generic element of the span used in (c) (size, size).
        basis: the solved :class:`eqsolve.solve.RepBasis`.
    """

    shape: tuple = ()
    active_axes: tuple = ()
    expected_dim: int = 0
    dim: int = 0
    counts: dict = field(default_factory=dict)
    subsets: list = field(default_factory=list)
    span_error: float = 0.0
    label_error: float = 0.0
    untie_errors: dict = field(default_factory=dict)
    illegal: list = field(default_factory=list)
    legal: list = field(default_factory=list)
    undetected: list = field(default_factory=list)
    group_order: int = 0
    joint: "JointReport | None" = None
    W: np.ndarray | None = None
    coefficients: np.ndarray | None = None
    basis: object = None
    tol: float = 1e-9


def _fmt_subset(S) -> str:
    return "{" + ",".join(str(i) for i in sorted(S)) + "}"


def exchangeable(
    shape, *, seed: int = 0, n_illegal: int = 6, n_legal: int = 6, tol: float = 1e-9, joint: bool = True
) -> ExchangeableReport:
    """Check Theorem 5.1 (and Propositions 5.2/5.3) for N_1 x ... x N_D tensors.

    Args:
        shape: the tensor shape, e.g. ``(3, 4)``; sizes of 1 are allowed.
        seed: seed of the random coefficients, permutations and samples.
        n_illegal, n_legal: how many permutations outside / inside the group to test.
        joint: for a square 2-d shape also check the jointly exchangeable case (d).

    Returns:
        :class:`ExchangeableReport` (``str(report)`` is a table).
    """
    t0 = time.perf_counter()
    shape = tuple(int(n) for n in shape)
    if not shape or any(n < 1 for n in shape):
        raise ValueError(f"exchangeable(shape): give one or more positive axis sizes, got {shape}")
    D = len(shape)
    size = math.prod(shape)
    if size > MAX_FLAT:
        raise ValueError(
            f"exchangeable{shape}: the flattened tensor has {size} entries; the dense check "
            f"forms {size}^2 x 2^{D} matrices, so it stops at {MAX_FLAT} entries"
        )
    groups = [S(n, label=f"axis{i}") for i, n in enumerate(shape)]
    X = ProductRep([BaseRep(g) for g in groups])
    rep = X >> X
    B = rep.equivariant_basis()
    Q = B.dense()
    active = tuple(i for i, n in enumerate(shape) if n >= 2)
    fixed = set(i for i, n in enumerate(shape) if n < 2)
    subsets = [tuple(sorted(set(s) | fixed)) for r in range(len(active) + 1) for s in itertools.combinations(active, r)]
    expected = 2 ** len(active)
    report = ExchangeableReport(
        title=f"Hartford et al. Theorem 5.1 for {' x '.join(map(str, shape))} tensors "
        f"under {' x '.join(f'S({n})' for n in shape)}",
        shape=shape,
        active_axes=active,
        expected_dim=expected,
        dim=B.dim,
        tol=tol,
        basis=B,
    )
    checks = []
    agree = _agree(shape)

    def W_S(Sset):
        mask = np.ones((size, size), dtype=bool)
        for i in range(D):
            mask &= agree[i] if i in Sset else ~agree[i]
        return mask.astype(np.float64).reshape(-1)

    Wmats = {Sset: W_S(Sset) for Sset in subsets}
    # (a) span
    span_errs = {}
    for Sset, w in Wmats.items():
        u = w / np.linalg.norm(w)
        span_errs[Sset] = float(np.linalg.norm(u - Q @ (Q.T @ u)))
    report.span_error = max(span_errs.values())
    Wstack = np.stack([w / np.linalg.norm(w) for w in Wmats.values()], axis=1)
    back = float(np.linalg.norm(Q - Wstack @ (Wstack.T @ Q), axis=0).max()) if B.dim else 0.0
    ok_span = report.span_error <= 1e-8 and back <= 1e-8 and B.dim == len(subsets)
    worst_S = max(span_errs, key=span_errs.get)
    checks.append(
        Check(
            f"(a) the basis spans exactly the 2^{len(active)} = {expected} matrices W_S",
            ok_span,
            max(report.span_error, back),
            f"max distance of W_S from span(basis) and of the basis from span(W_S); dim {B.dim}",
            None if ok_span else f"W_{_fmt_subset(worst_S)} at distance {span_errs[worst_S]:.3g}",
        )
    )
    # (a) labels
    label_subsets, label_err, mismatch = [], 0.0, None
    for k, lab in enumerate(B.labels):
        q = Q[:, k]
        n, n2 = divmod(int(np.argmax(np.abs(q))), size)
        support_S = tuple(i for i in range(D) if agree[i, n, n2])
        try:
            lab_S = tuple(i for i in range(D) if lab.tied(i, D + i))
        except AttributeError:
            lab_S = None
        label_subsets.append(lab_S if lab_S is not None else support_S)
        w = Wmats.get(support_S)
        err = float(np.linalg.norm(np.abs(q) - w / np.linalg.norm(w))) if w is not None else 1.0
        if lab_S != support_S:
            err = max(err, 1.0)
        if err > label_err:
            label_err, mismatch = err, (k, lab, lab_S, support_S)
    report.subsets = label_subsets
    report.label_error = label_err
    ok_lab = label_err <= 1e-8
    checks.append(
        Check(
            "(a) each element is one W_S, labelled with its subset S",
            ok_lab,
            label_err,
            "elements: " + ", ".join(f"W_{_fmt_subset(s)}" for s in label_subsets),
            None
            if ok_lab
            else f"element {mismatch[0]} labelled {mismatch[1]} (subset {mismatch[2]}) is supported on W_{mismatch[3]}",
        )
    )
    # (b) maximality
    counts, _ = expected_dimension(rep, "burnside")
    burnside_formula = math.prod(int(sn_fixed_point_moment(n, 2)) for n in shape)
    counts["burnside"] = counts.get("burnside", burnside_formula)
    if size * size <= 600:
        N = dense_nullspace(rep)
        if N is not None:
            counts["dense-svd"] = N.shape[1]
    report.counts = counts
    ok_max = all(v == expected for v in counts.values()) and B.dim == expected
    checks.append(
        Check(
            f"(b) maximal: the nullspace has dimension {expected}",
            ok_max,
            f"{B.dim} vs {expected}",
            ", ".join(f"{m}: {v}" for m, v in counts.items()) + " (independent counts)",
        )
    )
    # (b) untying witness: half of the support of each W_S is not equivariant
    rng = np.random.default_rng(seed)
    els = group_elements(rep.G, 2, seed, lie=False)
    half = []
    for Sset, w in Wmats.items():
        supp = np.flatnonzero(w)
        if len(supp) < 2:
            continue
        pick = rng.permutation(supp)[: len(supp) // 2]
        h = np.zeros_like(w)
        h[pick] = 1.0
        half.append((Sset, h))
    if half:
        H = np.stack([h for _, h in half], axis=1)
        errs = invariance_errors(rep, H, els).max(axis=0)
        report.untie_errors = {Sset: float(e) for (Sset, _), e in zip(half, errs)}
        least = float(errs.min())
        checks.append(
            Check(
                "(b) no weight can be untied",
                least > tol,
                least,
                f"half of the support of each W_S (size >= 2) breaks equivariance; least error over "
                f"{len(half)} subsets",
            )
        )
    # (c) illegal / legal permutations of the flattened tensor
    flat_gens = [X._perm({g: p}) for g in groups for p in g.perm_generators]
    order = math.prod(math.factorial(n) for n in shape)
    report.group_order = order
    Gflat = Permutation(flat_gens, name="flat product") if flat_gens else None

    def contains(p):
        return bool(Gflat.contains(p)) if Gflat is not None else bool(np.array_equal(p, np.arange(size)))

    c = np.random.default_rng(seed + 3).normal(size=B.dim)
    W = (Q @ c).reshape(size, size)
    report.W, report.coefficients = W, c
    ill = random_illegal(size, contains, n_illegal, np.random.default_rng(seed + 1), order)
    leg = []
    per = [g.sample_permutations(n_legal, seed + 5 + i) for i, g in enumerate(groups)]
    for k in range(n_legal):
        leg.append(X._perm({g: per[i][k] for i, g in enumerate(groups)}))
    for p in ill:
        report.illegal.append(commutation_witness(W, p, p, False, p))
    for p in leg:
        if not contains(p):  # pragma: no cover - would be a bug in _perm
            raise AssertionError("a product-group element is not in the flattened group")
        report.legal.append(commutation_witness(W, p, p, True, p))
    report.undetected = [w for w in report.illegal if w.error <= tol]
    checks += _perm_checks(report, tol, order == math.factorial(size), prefix="(c) ")
    found = [w for w in report.illegal if w.error > tol]
    if found:
        w = found[0]
        moved = np.flatnonzero(w.perm != np.arange(size))
        mi = [tuple(int(a) for a in np.unravel_index(i, shape)) for i in moved]
        what = (
            f"swapping entries {mi[0]} and {mi[1]}"
            if len(moved) == 2
            else f"a random permutation moving {len(moved)} of the {size} entries"
        )
        at = tuple(int(a) for a in np.unravel_index(w.index, shape))
        checks[-1].detail = (
            f"{len(found)}/{len(report.illegal)} illegal permutations caught by a one-hot x; "
            f"e.g. {what} (not in the group): x = one-hot at {at} gives "
            f"|GWx - WGx| = {w.error:.3g}"
        )
    # (d) jointly exchangeable
    if joint and D == 2 and shape[0] == shape[1] and shape[0] >= 2:
        report.joint = jointly_exchangeable(shape[0], seed=seed)
        checks += report.joint.checks
    report.checks = checks
    report.summary = {
        "group order": order,
        "flattened size": size,
        "solved dim": B.dim,
        "expected 2^D'": expected,
        "basis methods": ", ".join(sorted(B.methods)),
        "generic W": f"N(0,1) coefficients (seed {seed + 3})",
    }
    report.seconds = time.perf_counter() - t0
    return report


# ============================================================ joint case
@dataclass(repr=False)
class JointReport(Report):
    """Result of :func:`jointly_exchangeable`.

    Attributes:
        n: the set size; dim: the solved dimension; counts: independent counts;
        formula_dim: number of set partitions of 4 axes into at most n blocks (15 for n >= 4);
        subset_dim: 4 (the separately exchangeable W_S); paper_remark_dim: 3 (W_S with w2 = w3);
        transpose_distance: distance of the (equivariant) transpose map from the span of the W_S.
    """

    n: int = 0
    dim: int = 0
    counts: dict = field(default_factory=dict)
    formula_dim: int = 0
    subset_dim: int = 4
    paper_remark_dim: int = 3
    transpose_error: float = 0.0
    transpose_distance: float = 0.0


def _stirling2(k: int, j: int) -> int:
    return sum((-1) ** i * math.comb(j, i) * (j - i) ** k for i in range(j + 1)) // math.factorial(j)


def jointly_exchangeable(n: int, *, seed: int = 0, samples: int = 3) -> JointReport:
    """The jointly exchangeable layer (one S(n) on rows and columns of n x n matrices)."""
    t0 = time.perf_counter()
    n = int(n)
    if n < 1:
        raise ValueError(f"jointly_exchangeable(n) needs n >= 1, got {n}")
    if n**2 > MAX_FLAT:
        raise ValueError(f"jointly_exchangeable({n}): {n}^2 entries is over the dense limit {MAX_FLAT}")
    G = S(n)
    V2 = BaseRep(G) ** 2
    rep = V2 >> V2
    B = rep.equivariant_basis()
    Q = B.dense()
    formula = sum(_stirling2(4, j) for j in range(1, min(4, n) + 1))
    counts, _ = expected_dimension(rep, "burnside")
    if n**4 <= 700:
        N = dense_nullspace(rep)
        if N is not None:
            counts["dense-svd"] = N.shape[1]
    report = JointReport(
        title=f"jointly exchangeable {n}x{n} matrices (S({n}) on rows and columns)",
        n=n,
        dim=B.dim,
        counts=counts,
        formula_dim=formula,
    )
    checks = []
    els = group_elements(G, samples, seed, lie=False)
    inv = float(invariance_errors(rep, Q, els).max()) if B.dim else 0.0
    ok_dim = B.dim == formula and all(v == formula for v in counts.values())
    checks.append(
        Check(
            f"(d) joint: dimension is {formula}" + (" (n >= 4)" if n >= 4 else f" (n = {n})"),
            ok_dim and inv <= 1e-9,
            f"{B.dim} vs {formula}",
            ", ".join(f"{m}: {v}" for m, v in counts.items())
            + f"; set partitions of 4 axes into <= {n} blocks; basis invariance error {inv:.1e}",
        )
    )
    # the transpose map: equivariant, in the solved span, outside the 4 subset-tied W_S
    size = n * n
    Tm = np.zeros((size, size))
    for i in range(n):
        for j in range(n):
            Tm[i * n + j, j * n + i] = 1.0
    t = Tm.reshape(-1) / np.linalg.norm(Tm)
    report.transpose_error = float(invariance_errors(rep, t[:, None], els).max())
    in_span = float(np.linalg.norm(t - Q @ (Q.T @ t)))
    if n >= 2:
        Ws = np.stack([subset_tied_matrix((n, n), Sset).reshape(-1) for Sset in [(), (0,), (1,), (0, 1)]], axis=1)
        Qs, _ = np.linalg.qr(Ws)
        report.transpose_distance = float(np.linalg.norm(t - Qs @ (Qs.T @ t)))
        ok = report.transpose_error <= 1e-9 and in_span <= 1e-8 and report.transpose_distance > 1e-6
        checks.append(
            Check(
                "(d) joint: more weights than the subset-tied ones",
                ok,
                report.transpose_distance,
                f"the transpose map is equivariant (error {report.transpose_error:.1e}), in the solved span "
                f"(residual {in_span:.1e}) but at distance {report.transpose_distance:.3f} from the "
                f"{report.subset_dim} W_S; the paper's simplified w2 = w3 remark leaves "
                f"{report.paper_remark_dim}, the true dimension is {B.dim}",
            )
        )
    report.checks = checks
    report.summary = {
        "solved dim": B.dim,
        "independent counts": counts,
        "separately exchangeable (2^2)": 4,
        "w2 = w3 remark": 3,
    }
    report.seconds = time.perf_counter() - t0
    return report
