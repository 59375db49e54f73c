"""Report objects returned by :mod:`eqsolve.verify`, and the terminal table they render as.

A report never prints by itself. Every report has ``checks`` (a list of :class:`Check`, one
per claim) and ``passed``; ``str(report)`` / ``report.table()`` give a terminal table. The
typed subclasses add fields for what was measured (dimensions, errors) and witnesses.
"""

from __future__ import annotations

import math
import shutil
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..groups import perm_matrix

__all__ = [
    "Check",
    "Report",
    "GroupElement",
    "ColumnWitness",
    "MissingInvariantWitness",
    "DependenceWitness",
    "PermutationWitness",
    "format_table",
]


class _ShortRepr:
    """Readable reprs for records that hold arrays."""

    def __repr__(self):
        return f"{type(self).__name__}({self})"


# ================================================================== elements
def _as_matrix(v) -> np.ndarray:
    """float64, or complex128 for complex input (elements of U(n), SU(n))."""
    a = np.asarray(v)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64, copy=False)


@dataclass(repr=False)
class GroupElement(_ShortRepr):
    """A group (or Lie-algebra) element, kept per factor so nothing block-diagonal is formed.

    Attributes:
        name: readable, e.g. ``"S(4) generator 1"`` or ``"sample 3"``.
        kind: ``"generator"``, ``"sample"`` or ``"lie"``.
        parts: ``{factor: array}``; for permutation factors a (d_f,) int array of point images
            (i -> p[i]), otherwise a (d_f, d_f) matrix (Lie-algebra element for ``"lie"``).
    """

    name: str
    kind: str
    parts: dict

    @property
    def is_permutation(self) -> bool:
        return self.kind != "lie" and all(np.asarray(v).ndim == 1 for v in self.parts.values())

    def matrices(self) -> dict:
        """``{factor: (d_f, d_f) matrix}`` (permutations turned into matrices): float64, or
        complex128 for a complex factor (U(n), SU(n)), never cast to real."""
        return {
            f: (perm_matrix(np.asarray(v)) if np.asarray(v).ndim == 1 else _as_matrix(v)) for f, v in self.parts.items()
        }

    def matrix(self, G) -> np.ndarray:
        """The (d, d) element of ``G`` (Kronecker product over the factors: identity, or a
        Kronecker sum with zero for the algebra, on other factors)."""
        mats = self.matrices()
        if len(G.factors) > 1:  # a product's defining rep is the tensor product (EMLP's meaning)
            return G.element(mats, lie=self.kind == "lie")
        f = G.factors[0]
        dtype = np.complex128 if f.is_complex else np.float64
        return mats.get(f, np.zeros((f.d, f.d), dtype) if self.kind == "lie" else np.eye(f.d, dtype=dtype))

    def __str__(self):
        return self.name


# ================================================================= witnesses
@dataclass(repr=False)
class ColumnWitness(_ShortRepr):
    """A basis column (or weight matrix) that a group element does not fix."""

    column: int
    label: Any
    element: GroupElement
    error: float

    def __str__(self):
        what = str(self.label) if self.label in ("W", "f") else f"column {self.column} ({self.label})"
        return f"{what} broken by {self.element.name}: error {self.error:.2e}"


@dataclass(repr=False)
class MissingInvariantWitness(_ShortRepr):
    """An invariant vector the basis misses: ``vector`` (size,) unit norm, its invariance
    residual (small: it *is* invariant) and its distance from the span of the basis (large)."""

    vector: np.ndarray
    residual: float
    distance: float
    how: str

    def __str__(self):
        return (
            f"invariant vector ({self.how}) at distance {self.distance:.3f} from the span "
            f"(invariance residual {self.residual:.1e})"
        )


@dataclass(repr=False)
class DependenceWitness(_ShortRepr):
    """Coefficients ``c`` (unit) with ``Q c`` ~ 0: the columns are dependent."""

    coefficients: np.ndarray
    norm: float
    columns: list

    def __str__(self):
        return f"columns {self.columns[:6]} dependent: |Q c| = {self.norm:.1e} for a unit c"


@dataclass(repr=False)
class PermutationWitness(_ShortRepr):
    """A permutation ``perm`` of the input coordinates (i -> perm[i]) tested against a generic
    equivariant W. For an illegal one, ``index`` is the one-hot input x = e_index with
    ``G W x != W G x``; ``error`` = |G W x - W G x| (for a legal one: max over all x)."""

    perm: np.ndarray
    legal: bool
    index: int | None
    error: float
    GWx: np.ndarray | None = None
    WGx: np.ndarray | None = None
    size: int = 0

    @property
    def x(self) -> np.ndarray | None:
        """The one-hot input (size,)."""
        if self.index is None:
            return None
        out = np.zeros(self.size)
        out[self.index] = 1.0
        return out

    def __str__(self):
        kind = "legal" if self.legal else "illegal"
        if self.index is None:
            return f"{kind} permutation: |GW - WG| = {self.error:.1e}"
        return f"{kind} permutation: x = e_{self.index} gives |GWx - WGx| = {self.error:.3g}"


# ===================================================================== checks
@dataclass
class Check:
    """One claim. ``passed`` is True/False, or None when it could not be checked (``detail``
    says why)."""

    claim: str
    passed: bool | None
    measured: Any = None
    detail: str = ""
    witness: Any = None

    @property
    def status(self) -> str:
        return {True: "PASS", False: "FAIL", None: "skip"}[self.passed]


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if v == 0:
            return "0"
        if v == int(v) and abs(v) < 1e6:
            return str(int(v))
        return f"{v:.2e}" if abs(v) < 1e-3 or abs(v) >= 1e5 else f"{v:.4g}"
    return str(value)


def format_table(
    headers: list[str],
    rows: list[list[str]],
    width: int | None = None,
    wrap_last: bool = True,
    title: str | None = None,
) -> str:
    """A box-drawn terminal table; the last column wraps to fit ``width`` characters."""
    if width is None:
        width = max(60, min(shutil.get_terminal_size((120, 24)).columns, 140))
    cells = [[str(c) for c in r] for r in rows]
    ncol = len(headers)
    widths = [
        max([len(headers[j])] + [max((len(x) for x in c[j].split("\n")), default=0) for c in cells])
        for j in range(ncol)
    ]
    if wrap_last and ncol > 1:
        # the first column (claims) wraps at 40% of the width, the last takes what is left
        widths[0] = min(widths[0], max(len(headers[0]), 16, int(0.4 * width)))
        fixed = sum(widths[:-1]) + 3 * ncol + 1
        widths[-1] = max(len(headers[-1]), min(widths[-1], max(20, width - fixed)))

    def wrap(text: str, w: int) -> list[str]:
        out = []
        for line in text.split("\n"):
            out.extend(textwrap.wrap(line, w, break_long_words=True, break_on_hyphens=False) or [""])
        return out

    def hline(l, m, r):
        return l + m.join("─" * (w + 2) for w in widths) + r

    lines = []
    if title:
        lines.append(title)
    lines.append(hline("┌", "┬", "┐"))
    lines.append("│" + "│".join(f" {h:<{w}} " for h, w in zip(headers, widths)) + "│")
    lines.append(hline("├", "┼", "┤"))
    for r in cells:
        wrapped = [wrap(c, w) for c, w in zip(r, widths)]
        for k in range(max(len(x) for x in wrapped)):
            lines.append(
                "│" + "│".join(f" {(x[k] if k < len(x) else ''):<{w}} " for x, w in zip(wrapped, widths)) + "│"
            )
    lines.append(hline("└", "┴", "┘"))
    return "\n".join(lines)


@dataclass
class Report:
    """Base report: a title, the checks, and any extra key facts (``summary``)."""

    title: str = ""
    checks: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when no check failed and at least one check ran."""
        ran = [c for c in self.checks if c.passed is not None]
        return bool(ran) and all(c.passed for c in ran)

    @property
    def failures(self) -> list:
        return [c for c in self.checks if c.passed is False]

    def check(self, claim: str) -> Check:
        """The check whose claim starts with ``claim``."""
        for c in self.checks:
            if c.claim.startswith(claim):
                return c
        raise KeyError(f"no check {claim!r} in {self.title}; have {[c.claim for c in self.checks]}")

    def rows(self) -> list[list[str]]:
        rows = []
        for c in self.checks:
            detail = c.detail
            if c.witness is not None and c.passed is False:
                detail = (detail + "\n" if detail else "") + f"witness: {c.witness}"
            rows.append([c.claim, c.status, _fmt(c.measured), detail])
        return rows

    def table(self, width: int | None = None) -> str:
        head = self.title
        if self.summary:
            head += "\n" + "\n".join(f"  {k}: {_fmt(v)}" for k, v in self.summary.items())
        verdict = (
            "ALL CLAIMS HOLD"
            if self.passed
            else (f"{len(self.failures)} CLAIM(S) FAIL" if self.failures else "NOTHING CHECKED")
        )
        body = format_table(["claim", "result", "measured", "detail"], self.rows(), width, title=head)
        return body + f"\n{verdict}  ({self.seconds:.2f} s)"

    def __str__(self):
        return self.table()

    def as_dict(self) -> dict:
        """Plain data (claims, results, measured values, details, summary) for JSON output."""

        def plain(v):
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (np.floating,)):
                return float(v)
            if isinstance(v, (bool, int, float, str)) or v is None:
                return v
            if isinstance(v, dict):
                return {str(k): plain(x) for k, x in v.items()}
            return str(v)

        return {
            "title": self.title,
            "passed": self.passed,
            "seconds": self.seconds,
            "summary": plain(self.summary),
            "checks": [
                {
                    "claim": c.claim,
                    "passed": c.passed,
                    "measured": plain(c.measured),
                    "detail": c.detail,
                    "witness": None if c.witness is None else str(c.witness),
                }
                for c in self.checks
            ],
        }

    def _repr_short(self):
        return f"{type(self).__name__}({self.title!r}, passed={self.passed})"

    def __repr__(self):
        return self._repr_short()
