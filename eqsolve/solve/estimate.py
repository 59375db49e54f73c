"""Work estimates: what solving a block would cost, computed from counts before any work.

Every solver of :mod:`eqsolve.solve.registry` declares an ``estimate(block)`` returning a
:class:`WorkEstimate` (what will be enumerated, rough seconds, bytes). :func:`check_work`
refuses a block whose estimate is over the time limit (``max_seconds``) or over the memory this
machine may use, with a :class:`WorkTooLargeError` that states the estimate and how to go on.

The counts are exact where the solver enumerates something countable (equality patterns:
Stirling numbers per group factor; zero-weight indices of the weight reduction: a convolution
of per-axis weight histograms; coordinates of an orbit solve); the seconds are those counts
times per-item costs measured on a 2-core machine (``benchmarks/solve.py``), so they are rough
(within a small factor), but they never require running the work.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..memory import TooLargeError, available_bytes, human
from ..reps.monomial import Monomial
from .constraints import block_constraints
from .dense import diagonal_reduction
from .krylov import WeightReductionUnavailable, _cartan, _lie_generators, _unique_leaves
from .product import factor_axes, sub_monomial

MAX_SECONDS = 60.0
"""Default limit on the estimated seconds of one block (``max_seconds=None`` lifts it)."""

# per-item costs (seconds), measured on a 2-core machine: S(2) V**18 enumerates 131072 patterns in
# 2.1 s; SO(3) V**4 >> V**4 (m = 6561, Z = 1107) takes 8 s, V**5 >> V**5 (59049, 8953) 181 s
PATTERN_SECONDS = 2e-5
PATTERN_BYTES = 600
WEIGHT_SECONDS = 4e-7  # per (block size x zero-weight index)
ORBIT_SECONDS = 2e-7  # per coordinate and generator
DENSE_FLOP_SECONDS = 1e-9
SKIP_SIZE, SKIP_AXES = 512, 8  # blocks this small are solved without estimating (always cheap)


class WorkTooLargeError(TooLargeError):
    """A solve whose estimated work is over the limit (a ValueError; the message says how much
    and how to go on)."""


@dataclass(frozen=True)
class WorkEstimate:
    """What solving one block would cost.

    Attributes:
        solver: the solver's name.
        what: what it enumerates, e.g. ``"8388608 equality patterns"``.
        seconds: rough wall time on a 2-core machine.
        nbytes: rough peak memory.
    """

    solver: str
    what: str
    seconds: float
    nbytes: int

    def describe(self) -> str:
        return f"{self.what}: about {format_seconds(self.seconds)} and {human(self.nbytes)}"


def format_seconds(s: float) -> str:
    if s < 1:
        return "under a second"
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if s >= size:
            value = s / size
            return f"{value:.3g} {unit}" if value < 1e6 else f"{value:.2e} {unit}"
    return f"{s:.0f} s"


# ------------------------------------------------------------------------------- counts
@functools.lru_cache(maxsize=4096)
def partitions_at_most(k: int, n: int) -> int:
    """Set partitions of k axes into at most n blocks: sum_{j<=n} S(k, j) (Stirling numbers of
    the second kind; Bell(k) when n >= k)."""
    row = [1]  # S(0, 0)
    for i in range(1, k + 1):
        new = [0] * (i + 1)
        for j in range(1, i + 1):
            new[j] = j * (row[j] if j < len(row) else 0) + row[j - 1]
        row = new
    return sum(row[: n + 1])


def pattern_count(mono: Monomial) -> int:
    """The number of equality patterns (basis elements) of a pattern block."""
    groups, axis_group = mono.axis_groups()
    out = 1
    for gi, g in enumerate(groups):
        out *= partitions_at_most(sum(1 for a in axis_group if a == gi), g.d)
    return out


def zero_weight_count(weights: list[np.ndarray]) -> float:
    """How many multi-indices have per-axis integer weights (d_j, R) summing to zero (a
    convolution of per-axis weight histograms; never enumerates the indices). A float (it may be
    astronomically large); inf when the weight lattice is too fine to count cheaply."""
    if not weights:
        return 1.0
    R = weights[0].shape[1]
    bound = [sum(int(np.abs(w[:, r]).max()) for w in weights) for r in range(R)]
    mult = [1]
    for b in bound[:-1]:
        mult.append(mult[-1] * (2 * b + 1))
    counts = {0: 1.0}
    for w in weights:
        hist: dict = {}
        for row in w.tolist():
            code = sum(int(x) * f for x, f in zip(row, mult))
            hist[code] = hist.get(code, 0) + 1
        new: dict = {}
        for c, n in counts.items():
            for v, h in hist.items():
                new[c + v] = new.get(c + v, 0.0) + n * h
        counts = new
        if len(counts) > 200_000:
            return math.inf
    return counts.get(0, 0.0)


# --------------------------------------------------------------------------- estimators
def estimate_pattern(mono: Monomial) -> WorkEstimate:
    n = pattern_count(mono)
    return WorkEstimate(
        "pattern",
        f"{n} equality patterns (basis elements) of the {len(mono.leaves)}-axis block {_block(mono)}",
        n * PATTERN_SECONDS,
        n * PATTERN_BYTES,
    )


def estimate_cyclic(mono: Monomial) -> WorkEstimate:
    return WorkEstimate("cyclic", f"closed-form difference classes of {_block(mono)}", 0.0, 64 * len(mono.leaves))


def estimate_orbit(mono: Monomial) -> WorkEstimate:
    m = mono.size
    gens = sum(len(f.perm_generators) for f in mono.groups)
    return WorkEstimate(
        "orbit",
        f"orbits of {m} coordinates of {_block(mono)} under {gens} generators",
        m * max(gens, 1) * ORBIT_SECONDS,
        m * 8 * (4 + 2 * gens),
    )


def estimate_dense(mono: Monomial) -> WorkEstimate:
    m = mono.size
    all_cons = block_constraints(mono)
    keep, rest = diagonal_reduction(mono, all_cons) if m * len(all_cons) <= 10**8 else (None, all_cons)
    k = m if keep is None else len(keep)  # diagonal constraints cut the columns to k first
    cons = len(rest)
    return WorkEstimate(
        "dense",
        f"{cons} SVDs of up to {m} x {k} for {_block(mono)}",
        max(cons, 1) * 4.0 * m * k * k * DENSE_FLOP_SECONDS,
        (m * k + 2 * m) * 8,
    )


def estimate_krylov(mono: Monomial, dense_fallback: bool = False) -> WorkEstimate:
    m = mono.size
    cons = block_constraints(mono)
    lie = _lie_generators(cons)
    cart = _cartan(mono, lie) if lie else None
    if cart is not None:
        _, which = _unique_leaves(mono)
        try:
            Z = zero_weight_count([cart[1][which[j]] for j in range(len(mono.leaves))])
        except WeightReductionUnavailable:
            Z = math.inf
        if math.isfinite(Z):
            # memory: the reduced generators (Z x axes x d entries, complex, with indices) and the
            # block-sized vectors mapped back; the basis itself (m x dim) is checked once dim is known
            dmax = max(mono.shape)
            nbytes = Z * len(mono.leaves) * dmax * 48 + m * 16 * 8
            return WorkEstimate(
                "krylov",
                f"a weight-space reduction to {Z:.0f} zero-weight indices of the size-{m} block {_block(mono)}",
                m * Z * WEIGHT_SECONDS + 0.01,
                int(min(nbytes, 2**62)),
            )
    if dense_fallback:
        return estimate_dense(mono)
    return WorkEstimate("krylov", f"LOBPCG on the size-{m} block {_block(mono)}", m * len(cons) * 1e-5, m * 8 * 64)


def estimate_product(mono: Monomial) -> WorkEstimate:
    from .registry import choose  # noqa: PLC0415 (cycle: the registry imports this module)

    parts = factor_axes(mono) or []
    subs = []
    for _, axes in parts:
        sub = sub_monomial(mono, axes)
        s = choose(sub)
        subs.append(s.estimate(sub) if s.estimate is not None else WorkEstimate(s.name, "", 0.0, 0))
    worst = max(subs, key=lambda e: e.seconds, default=None)
    what = f"{len(subs)} factor sub-blocks of {_block(mono)}" + (f", the largest {worst.what}" if worst else "")
    return WorkEstimate(
        "product", what, sum(e.seconds for e in subs), max((e.nbytes for e in subs), default=0) + mono.size * 8
    )


def _block(mono: Monomial) -> str:
    shape = (
        "x".join(map(str, mono.shape))
        if len(mono.shape) <= 6
        else f"{mono.shape[0]}^{len(mono.shape)}"
        if len(set(mono.shape)) == 1
        else f"{len(mono.shape)} axes"
    )
    groups = " x ".join(str(g) for g in mono.groups)
    return f"({shape} of {groups})"


# ------------------------------------------------------------------------------- the check
def needs_estimate(mono: Monomial) -> bool:
    """Whether a block is large enough that its work is estimated before solving (tiny blocks
    skip it: their solve costs less than the estimate)."""
    return mono.size > SKIP_SIZE or len(mono.leaves) > SKIP_AXES


SMALL_NBYTES = 2**26  # estimates up to 64 MiB are never refused for memory (as dense.py / orbit.py)


def check_work(est: WorkEstimate, max_seconds: float | None = MAX_SECONDS) -> None:
    """Refuse (WorkTooLargeError) an estimate over ``max_seconds`` (checked first: machine-
    independent) or over half the available memory; the message gives the estimate and how to
    go on."""
    # the time limit first: it depends only on the counts, so the same request gets the same answer
    # on every machine; then the memory this machine may use
    if max_seconds is not None and est.seconds > max_seconds:
        raise WorkTooLargeError(
            f"solving by {est.solver} would take {est.describe()}, over the limit of "
            f"{max_seconds:g} s; use a smaller rep, or lift the limit with "
            f"max_seconds=None (eqsolve basis/show: --max-seconds 0) to run it anyway"
        )
    if est.nbytes <= SMALL_NBYTES:  # reading the free memory costs more than small solves themselves
        return
    limit = int(available_bytes() * 0.5)
    if est.nbytes > limit:
        raise WorkTooLargeError(
            f"solving by {est.solver} would need {est.describe()}, but only {human(limit)} "
            f"may be used on this machine; use a smaller rep"
        )
