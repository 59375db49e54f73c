"""Equivariance checks: a weight matrix, a basis or a function against its group.

The group elements tried are every discrete generator of every factor, ``samples`` random
elements of the whole group, and (continuous groups) every Lie-algebra generator. Elements are
kept per factor (:class:`GroupElement`), and permutation reps are acted on by index
permutations (``rep._perm``), so nothing of size (size x size) is formed for them; other reps
use the dense ``rep._rho`` when it fits (``DENSE_ACTION_MAX``) and the matrix-free monomial
action otherwise.

Errors are relative and scale-free:

- matrix W: ``|rho_out(g) W - W rho_in(g)|_F / (|W|_F s)``, ``s`` the RMS singular value of
  the rho's (1 for permutations and orthogonal groups); Lie: the same with drho;
- basis column q: ``|rho(g) q - q| / (|q| s)`` and ``|drho(A) q| / (|q| s)``;
- function f: ``|f(rho_in(g) x) - rho_out(g) f(x)| / max(|f(x)|, ...)`` on random x, and for
  the Lie algebra the same at ``g = exp(t A)`` divided by ``t`` (a finite-difference estimate of
  the derivative residual that needs no JVP).

Complex groups (U(n), SU(n), and products with them): everything is computed in complex
arithmetic, nothing is cast to real. Elements, rho's and bases stay complex128, a complex W or
basis is checked as it is (norms are Hermitian), and a function of a complex rep gets complex
Gaussian inputs x = (a + i b) / sqrt(2) (so a map that ignores or drops imaginary parts fails).
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.linalg

from ..reps.base import MapRep, Rep
from ..solve.basis import Basis, RepBasis
from .report import Check, ColumnWitness, GroupElement, Report

__all__ = ["equivariance", "EquivarianceReport", "group_elements", "act", "invariance_errors"]

DENSE_ACTION_MAX = 2048
DEFAULT_TOL = 1e-8


# ============================================================ group elements
def group_elements(G, samples: int = 8, seed: int = 0, lie: bool = True) -> list[GroupElement]:
    """Generators of every factor, ``samples`` random elements of the whole group and the
    Lie-algebra generators (``kind="lie"``), as :class:`GroupElement` s."""
    out: list[GroupElement] = []
    for f in G.factors:
        if f.is_permutation:
            for i, p in enumerate(f.perm_generators):
                out.append(GroupElement(f"{f} generator {i}", "generator", {f: np.asarray(p)}))
        else:
            for i, h in enumerate(f.discrete_generators):
                out.append(GroupElement(f"{f} generator {i}", "generator", {f: h}))
    per_factor = []
    for j, f in enumerate(G.factors):
        s = seed * 1009 + 7919 * j + 1
        per_factor.append(f.sample_permutations(samples, s) if f.is_permutation else f.samples(samples, s))
    for k in range(samples):
        out.append(
            GroupElement(f"sample {k} (seed {seed})", "sample", {f: per_factor[j][k] for j, f in enumerate(G.factors)})
        )
    if lie:
        for f in G.factors:
            for i, A in enumerate(f.lie_algebra):
                out.append(GroupElement(f"{f} Lie generator {i}", "lie", {f: A}))
    return out


def _as_array(a) -> np.ndarray:
    """float64, or complex128 for complex input; never drops an imaginary part."""
    a = np.asarray(a)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"expected a numeric array, got dtype {a.dtype}")
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64, copy=False)


def _is_complex(rep: Rep) -> bool:
    """The rep's group has a complex factor (U(n), SU(n)): its vectors are complex."""
    return any(f.is_complex for f in rep._require_group().factors)


def _rms_scale(M: np.ndarray) -> float:
    return float(np.linalg.norm(M) / np.sqrt(max(M.shape[0], 1)))


def act(rep: Rep, el: GroupElement, X: np.ndarray) -> tuple[np.ndarray, float]:
    """``rho(el) X`` (or ``drho(el) X`` for a Lie element) for X (size, B), and the scale s
    of the operator (RMS singular value; 1 for permutations)."""
    if el.is_permutation and rep.is_permutation:
        q = rep._perm(el.parts)
        Y = np.empty_like(X)
        Y[q] = X
        return Y, 1.0
    lie = el.kind == "lie"
    parts = el.matrices()
    if rep.size() <= DENSE_ACTION_MAX:
        M = rep._drho(parts) if lie else rep._rho(parts)
        return M @ X, _rms_scale(M) if lie else max(1.0, _rms_scale(M))
    # complex groups act by complex matrices: the result is complex even for a real X
    out = np.zeros(X.shape, dtype=np.result_type(X, np.complex128 if _is_complex(rep) else np.float64))
    scale = 1.0
    for mono in rep.monomials:
        mats = mono.leaf_matrices(parts, lie=lie)
        for M in mats:
            if M is not None:
                scale = max(scale, _rms_scale(M))
        block = mono.gather(X)
        if lie and all(M is None for M in mats):
            continue
        Y = mono.apply(mats, block, lie=lie) if any(M is not None for M in mats) else block
        mono.scatter_add(out, Y)
    return out, scale


def invariance_errors(rep: Rep, Q: np.ndarray, elements: list[GroupElement]) -> np.ndarray:
    """(len(elements), k) relative invariance errors of the columns of Q (size, k)."""
    norms = np.linalg.norm(Q, axis=0)
    norms = np.where(norms > 0, norms, 1.0)
    errs = np.zeros((len(elements), Q.shape[1]))
    for i, el in enumerate(elements):
        Y, s = act(rep, el, Q)
        R = Y if el.kind == "lie" else Y - Q
        errs[i] = np.linalg.norm(R, axis=0) / (norms * max(s, 1e-300))
    return errs


def _act_rows(rep: Rep, el: GroupElement, X: np.ndarray) -> np.ndarray:
    """rho(el) applied to each row of X (B, size)."""
    Y, _ = act(rep, el, X.T)
    return Y.T


# ==================================================================== report
@dataclass(repr=False)
class EquivarianceReport(Report):
    """Result of :func:`equivariance`.

    Attributes:
        kind: ``"matrix"``, ``"basis"`` or ``"function"``.
        worst_error: the largest relative error over all elements (and columns).
        worst_element: the :class:`GroupElement` that caused it.
        worst_column: the basis column (``kind="basis"``), else None.
        errors: ``{element name: error}`` (max over columns for a basis).
        tol: the tolerance the errors were compared with.
    """

    kind: str = ""
    worst_error: float = 0.0
    worst_element: GroupElement | None = None
    worst_column: int | None = None
    errors: dict = field(default_factory=dict)
    tol: float = DEFAULT_TOL


def _maprep(rep_in, rep_out) -> MapRep:
    if not isinstance(rep_in, Rep) or not isinstance(rep_out, Rep):
        raise TypeError("equivariance needs rep_in and rep_out reps (or a basis of rep_in >> rep_out)")
    rep = MapRep(rep_in, rep_out)
    if not rep.is_bound:
        raise ValueError(f"rep {rep} is unbound: bind it to a group first, e.g. V(S(3))")
    return rep


def equivariance(
    f_or_W,
    rep_in: Rep | None = None,
    rep_out: Rep | None = None,
    *,
    samples: int = 8,
    seed: int = 0,
    tol: float | None = None,
    batch: int = 4,
    lie_t: float = 1e-2,
) -> EquivarianceReport:
    """Check that a linear map, a basis of maps, or a function is equivariant.

    Args:
        f_or_W: a matrix W (size_out, size_in); a basis (:class:`eqsolve.solve.RepBasis` of
            ``rep_in >> rep_out`` or of any rep: every column is checked for invariance, which for
            a map rep is the equivariance of the reshaped weight matrix); or a callable
            ``f(x)`` taking x (batch, size_in) numpy and returning (batch, size_out).
        rep_in, rep_out: the reps (optional for a basis, taken from ``basis.rep``).
        samples: random group elements tried besides the generators.
        seed: seed of the samples and of the random inputs.
        tol: relative error allowed (default 1e-8 for matrices and bases, 1e-6 for functions).
        batch: random inputs per element for a function.
        lie_t: step t of ``exp(t A)`` for the Lie-algebra check of a function.

    Returns:
        :class:`EquivarianceReport` (never prints; ``str(report)`` is a table).
    """
    t0 = time.perf_counter()
    if isinstance(f_or_W, RepBasis):
        rep = f_or_W.rep
        if rep_in is not None and rep_out is not None and _maprep(rep_in, rep_out) != rep:
            raise ValueError(f"the basis is of {rep}, not of {rep_in} >> {rep_out}")
        report = _check_columns(
            f_or_W.dense(), rep, list(f_or_W.labels), samples, seed, DEFAULT_TOL if tol is None else tol
        )
    elif isinstance(f_or_W, Basis):  # a block-level Basis
        rep = _maprep(rep_in, rep_out)
        Q = f_or_W.dense()
        if Q.shape[0] != rep.size():
            raise ValueError(f"the basis has size {Q.shape[0]} but {rep} has size {rep.size()}")
        report = _check_columns(Q, rep, list(f_or_W.labels), samples, seed, DEFAULT_TOL if tol is None else tol)
    elif callable(f_or_W) and not isinstance(f_or_W, np.ndarray):
        report = _check_function(
            f_or_W, _maprep(rep_in, rep_out), samples, seed, 1e-6 if tol is None else tol, batch, lie_t
        )
    else:
        rep = _maprep(rep_in, rep_out)
        W = _as_array(f_or_W)  # a complex W (U(n), SU(n) maps) stays complex
        shape = (rep_out.size(), rep_in.size())
        if W.shape != shape:
            if W.ndim == 1 and W.size == shape[0] * shape[1]:
                W = W.reshape(shape)
            else:
                raise ValueError(
                    f"W for {rep_in} >> {rep_out} must have shape {shape} (size_out, size_in); got {W.shape}"
                )
        report = _check_matrix(W, rep, samples, seed, DEFAULT_TOL if tol is None else tol)
    report.seconds = time.perf_counter() - t0
    return report


def _finish(
    report: EquivarianceReport, errors: dict, names: list, worst_el, worst_err, what: str, make_witness=None
) -> EquivarianceReport:
    report.errors = errors
    report.worst_error = float(worst_err)
    report.worst_element = worst_el
    tol = report.tol
    checks = []
    for kind, claim in (
        ("generator", "generators"),
        ("sample", "random group elements"),
        ("lie", "Lie-algebra generators"),
    ):
        kind_els = [el for el in names if el.kind == kind]
        if not kind_els:
            if kind == "generator":
                checks.append(
                    Check(f"{what} commutes with {claim}", None, None, "the group has no discrete generators")
                )
            continue
        worst = max(kind_els, key=lambda e: errors[e.name])
        bad = [el for el in kind_els if errors[el.name] > tol]
        detail = f"{len(kind_els)} checked, tol {tol:.0e}"
        if bad:
            detail += f"; {len(bad)} fail, worst: {worst.name}"
        witness = make_witness(worst, errors[worst.name]) if bad and make_witness else None
        checks.append(Check(f"{what} commutes with {claim}", not bad, errors[worst.name], detail, witness))
    report.checks = checks
    return report


def _check_matrix(W: np.ndarray, rep: MapRep, samples, seed, tol) -> EquivarianceReport:
    G = rep._require_group()
    els = group_elements(G, samples, seed)
    wn = max(np.linalg.norm(W), 1e-300)
    errors, worst = {}, (None, -1.0)
    for el in els:
        # rho_out(g) W and W rho_in(g) = (rho_in(g)^T W^T)^T
        A, s_out = act(rep.rep_out, el, W)
        WB, s_in = _right_act(rep.rep_in, el, W)
        err = float(np.linalg.norm(A - WB) / (wn * max(s_out, s_in, 1e-300)))
        errors[el.name] = err
        if err > worst[1]:
            worst = (el, err)
    report = EquivarianceReport(
        title=f"equivariance of a {W.shape[0]}x{W.shape[1]} matrix: {rep.rep_in} → {rep.rep_out}",
        kind="matrix",
        tol=tol,
    )
    report.summary = {"group": str(G), "elements tried": len(els), "worst element": worst[0].name if worst[0] else "-"}
    return _finish(report, errors, els, worst[0], max(worst[1], 0.0), "W", lambda el, e: ColumnWitness(0, "W", el, e))


def _right_act(rep_in: Rep, el: GroupElement, W: np.ndarray) -> tuple[np.ndarray, float]:
    """W rho_in(g) (or W drho_in(A)) for W (m, n), and the operator's scale."""
    if el.is_permutation and rep_in.is_permutation:
        q = rep_in._perm(el.parts)
        return W[:, q], 1.0  # (W P)[:, j] = W[:, q[j]] since P[q[j], j] = 1
    lie = el.kind == "lie"
    if rep_in.size() <= DENSE_ACTION_MAX:
        parts = el.matrices()
        M = rep_in._drho(parts) if lie else rep_in._rho(parts)
        return W @ M, (_rms_scale(M) if lie else max(1.0, _rms_scale(M)))
    # W M = (M^T W^T)^T, with M^T applied matrix-free through the transposed element
    tel = GroupElement(el.name, el.kind, {f: m.T for f, m in el.matrices().items()})
    Y, s = act(rep_in, tel, W.T)
    return Y.T, s


def _check_columns(Q: np.ndarray, rep: Rep, labels: list, samples, seed, tol) -> EquivarianceReport:
    G = rep._require_group()
    els = group_elements(G, samples, seed)
    errs = invariance_errors(rep, Q, els) if Q.shape[1] else np.zeros((len(els), 0))
    errors = {el.name: float(errs[i].max()) if errs.shape[1] else 0.0 for i, el in enumerate(els)}
    report = EquivarianceReport(
        title=f"equivariance of the {Q.shape[1]} basis elements of {rep}", kind="basis", tol=tol
    )
    if errs.size:
        i, k = np.unravel_index(np.argmax(errs), errs.shape)
        worst_el, worst_err, col = els[i], float(errs[i, k]), int(k)
    else:
        worst_el, worst_err, col = None, 0.0, None
    report.worst_column = col
    report.summary = {
        "group": str(G),
        "elements tried": len(els),
        "worst": f"column {col} under {worst_el.name}" if worst_el else "-",
    }
    col_err = errs  # (elements, columns)

    def witness(el, e):
        i = els.index(el)
        c = int(np.argmax(col_err[i]))
        return ColumnWitness(c, labels[c] if c < len(labels) else c, el, float(col_err[i, c]))

    return _finish(report, errors, els, worst_el, worst_err, "every column", witness)


def _check_function(f: Callable, rep: MapRep, samples, seed, tol, batch, lie_t) -> EquivarianceReport:
    G = rep._require_group()
    els = group_elements(G, samples, seed)
    rng = np.random.default_rng(seed + 12345)
    n_in, n_out = rep.rep_in.size(), rep.rep_out.size()
    x = rng.normal(size=(batch, n_in))
    if _is_complex(rep):  # complex reps take complex inputs, so imaginary parts are exercised
        x = (x + 1j * rng.normal(size=(batch, n_in))) / np.sqrt(2)

    def call(z):
        y = _as_array(f(z))
        if y.shape != (batch, n_out):
            raise ValueError(f"f must map (batch, {n_in}) to (batch, {n_out}); got output shape {y.shape}")
        return y

    fx = call(x)
    errors, worst = {}, (None, -1.0)
    for el in els:
        if el.kind == "lie":
            f_ = next(iter(el.parts))
            A = el.parts[f_]
            g = GroupElement(el.name, "sample", {f_: scipy.linalg.expm(lie_t * A)})
            scale = lie_t
        else:
            g, scale = el, 1.0
        lhs = call(_act_rows(rep.rep_in, g, x))
        rhs = _act_rows(rep.rep_out, g, fx)
        den = max(np.linalg.norm(rhs), np.linalg.norm(lhs), 1e-12 * np.linalg.norm(x), 1e-300)
        err = float(np.linalg.norm(lhs - rhs) / den / scale)
        errors[el.name] = err
        if err > worst[1]:
            worst = (el, err)
    name = f.__name__ if inspect.isroutine(f) else type(f).__name__
    report = EquivarianceReport(title=f"equivariance of {name}: {rep.rep_in} → {rep.rep_out}", kind="function", tol=tol)
    report.summary = {
        "group": str(G),
        "elements tried": len(els),
        "random inputs": batch,
        "Lie check": f"exp(t A) with t = {lie_t:g}, error / t",
    }
    return _finish(report, errors, els, worst[0], max(worst[1], 0.0), "f", lambda el, e: ColumnWitness(0, "f", el, e))
