"""Propositions 5.2/5.3 of Hartford et al. for any declared permutation group.

A generic equivariant W (random coefficients on the solved basis) commutes with every element
of the group, and for a permutation pi *not* in the group there is a one-hot input x = e_j
with ``rho_out(pi) W x != W rho_in(pi) x``: the witness that the layer is not equivariant to
pi. Membership is decided by ``G.contains`` (Schreier-Sims), independently of the basis.

If some pi outside G commutes with the generic W, every equivariant map of the chosen reps
commutes with it (the commuting coefficients form a linear subspace that contains a generic
point), so those reps cannot tell G from the larger group <G, pi>; the report says so.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..groups import Group, PermutationGroup
from ..reps.base import BaseRep, Rep
from .report import Check, PermutationWitness, Report

__all__ = ["permutation_group", "PermutationGroupReport", "commutation_witness", "generic_element"]


def generic_element(rep, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A generic equivariant W (size_out, size_in) of the map rep ``rep`` and its coefficients
    (standard normal on the orthonormal solved basis)."""
    B = rep.equivariant_basis()
    c = np.random.default_rng(seed).normal(size=B.dim)
    W = B.apply(c).reshape(rep.rep_out.size(), rep.rep_in.size())
    return W, c


def commutation_witness(
    W: np.ndarray, q_in: np.ndarray, q_out: np.ndarray, legal: bool, perm: np.ndarray
) -> PermutationWitness:
    """Compare ``P_out W`` with ``W P_in`` for the index permutations q_in, q_out (i -> q[i],
    matrix P[q[i], i] = 1). Returns the one-hot column j maximising |P_out W e_j - W P_in e_j|."""
    PW = np.empty_like(W)
    PW[q_out, :] = W  # (P W)[q[i], :] = W[i, :]
    WP = W[:, q_in]  # (W P)[:, j] = W[:, q[j]]
    D = PW - WP
    cols = np.linalg.norm(D, axis=0)
    j = int(np.argmax(cols)) if cols.size else 0
    scale = max(np.linalg.norm(W, axis=0).max() if W.size else 1.0, 1e-300)
    err = float(cols[j] / scale) if cols.size else 0.0
    if legal:
        return PermutationWitness(np.asarray(perm), True, None, err, size=W.shape[1])
    return PermutationWitness(np.asarray(perm), False, j, err, PW[:, j].copy(), WP[:, j].copy(), size=W.shape[1])


def random_illegal(n: int, contains, count: int, rng, order: int | None = None) -> list[np.ndarray]:
    """Up to ``count`` permutations of n points outside the group (``contains(p)`` False):
    a transposition first when one is illegal, then uniformly random ones."""
    if order is not None and order == math.factorial(n):
        return []
    out = []
    if n >= 2:
        for a, b in ((0, 1), (0, n - 1), (n // 2, n - 1)):
            t = np.arange(n)
            t[[a, b]] = t[[b, a]]
            if a != b and not contains(t):
                out.append(t)
                break
    tries = 0
    while len(out) < count and tries < 50 * count:
        tries += 1
        p = rng.permutation(n)
        if not contains(p):
            out.append(p)
    return out[:count]


@dataclass(repr=False)
class PermutationGroupReport(Report):
    """Result of :func:`permutation_group`.

    Attributes:
        legal: :class:`PermutationWitness` per tested element of G (``error`` = |PW - WP| / |W|).
        illegal: one per tested permutation outside G (``index`` = the one-hot input).
        undetected: illegal permutations that commute with every equivariant map.
        coefficients: the random coefficients of the generic W.
        W: the generic equivariant matrix (size_out, size_in).
    """

    legal: list = field(default_factory=list)
    illegal: list = field(default_factory=list)
    undetected: list = field(default_factory=list)
    coefficients: np.ndarray | None = None
    W: np.ndarray | None = None
    tol: float = 1e-9


def _single_group(G) -> PermutationGroup:
    if isinstance(G, Group) and len(G.factors) > 1:
        raise TypeError(
            f"{G} is a direct product: use verify.exchangeable for products of S(n), or declare "
            f"the group on the flattened coordinates with Permutation(generators)"
        )
    if not isinstance(G, PermutationGroup):
        raise TypeError(
            f"permutation_group needs a permutation group (S, Z, A, D, Permutation(...), RubiksCube()), got {G!r}"
        )
    return G


def permutation_group(
    G,
    rep_in: Rep | None = None,
    rep_out: Rep | None = None,
    *,
    perms=None,
    n_illegal: int = 6,
    n_legal: int = 6,
    seed: int = 0,
    tol: float = 1e-9,
) -> PermutationGroupReport:
    """Legal permutations commute with a generic equivariant W; illegal ones get a one-hot witness.

    Args:
        G: a permutation group on n points (``S``, ``Z``, ``D``, ``A``, ``Permutation(...)``,
            ``RubiksCube()``).
        rep_in, rep_out: reps of G (default ``V(G)``); a permutation pi of the n points acts on them
            the way the symmetric group S(n) does (on every tensor axis).
        perms: permutations (length n) to test; default ``n_illegal`` random ones outside G
            (a transposition first) and ``n_legal`` random elements of G.
        tol: relative size of |P W e_j - W P e_j| that counts as non-commuting.
    """
    t0 = time.perf_counter()
    G = _single_group(G)
    rep_in = BaseRep(G) if rep_in is None else rep_in
    rep_out = BaseRep(G) if rep_out is None else rep_out
    rep = rep_in >> rep_out
    if rep.G != G:
        raise ValueError(f"{rep_in} >> {rep_out} is a rep of {rep.G}, not of {G}")
    W, c = generic_element(rep, seed)
    n = G.d
    rng = np.random.default_rng(seed + 1)
    if perms is None:
        tests = [(p, False) for p in random_illegal(n, G.contains, n_illegal, rng, _order(G))]
        tests += [(p, True) for p in G.sample_permutations(n_legal, seed + 2)]
    else:
        tests = []
        for p in perms:
            p = np.asarray(p, dtype=np.int64)
            tests.append((p, G.contains(p)))
    report = PermutationGroupReport(
        title=f"permutations vs. equivariance: {rep_in} → {rep_out} under {G}", coefficients=c, W=W, tol=tol
    )
    for p, legal in tests:
        w = commutation_witness(W, rep_in._perm({G: p}), rep_out._perm({G: p}), legal, p)
        (report.legal if legal else report.illegal).append(w)
    report.undetected = [w for w in report.illegal if w.error <= tol]
    report.checks = _perm_checks(report, tol, _order(G) == math.factorial(n))
    report.summary = {
        "group": str(G),
        "order": _order(G),
        "points": n,
        "basis dim": len(c),
        "generic W": f"{W.shape[0]}x{W.shape[1]}, N(0,1) coefficients (seed {seed})",
    }
    report.seconds = time.perf_counter() - t0
    return report


def _order(G: PermutationGroup) -> int:
    return int(G.order())


def _perm_checks(report, tol: float, full: bool, prefix: str = "") -> list[Check]:
    checks = []
    if report.legal:
        worst = max(w.error for w in report.legal)
        checks.append(
            Check(
                f"{prefix}legal permutations commute with W",
                worst <= tol,
                worst,
                f"{len(report.legal)} random group elements; max |PW - WP| / |W|",
            )
        )
    else:
        checks.append(Check(f"{prefix}legal permutations commute with W", None, None, "none tested"))
    if report.illegal:
        found = [w for w in report.illegal if w.error > tol]
        least = min(w.error for w in report.illegal)
        detail = f"{len(found)}/{len(report.illegal)} illegal permutations caught by a one-hot x"
        if found:
            detail += f"; e.g. {found[0]}"
        witness = None
        if report.undetected:
            detail += (
                f"; {len(report.undetected)} commute with every equivariant map: these reps cannot tell "
                f"the group from the one generated with them"
            )
            witness = f"undetected permutation {report.undetected[0].perm.tolist()[:16]}"
        checks.append(
            Check(
                f"{prefix}illegal permutations break W (one-hot witness)", not report.undetected, least, detail, witness
            )
        )
    else:
        checks.append(
            Check(
                f"{prefix}illegal permutations break W (one-hot witness)",
                None,
                None,
                "no illegal permutation exists: the group is the full symmetric group on the points"
                if full
                else "none tested",
            )
        )
    return checks
