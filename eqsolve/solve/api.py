"""``solve_basis``: split a rep into monomial blocks, solve each distinct block once with the
solver the table in :mod:`eqsolve.solve.registry` names, and assemble a :class:`RepBasis`.

>>> from eqsolve.groups import S
>>> from eqsolve.reps import V
>>> B = solve_basis(V(S(5))**2 >> V(S(5))**2)
>>> B.shape, sorted(B.methods)
((625, 15), ['pattern'])
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..reps.base import Rep
from ..reps.monomial import Monomial
from . import cache as _cache
from .basis import Basis, OrbitBasis, RepBasis
from .estimate import MAX_SECONDS, WorkEstimate, check_work, needs_estimate
from .registry import DENSE_MAX_SIZE, KRYLOV_MIN_SIZE, SolveContext, choose, get_solver

__all__ = [
    "solve_basis",
    "solve_block",
    "choose_method",
    "estimate_block",
    "estimate_rep",
    "DENSE_MAX_SIZE",
    "KRYLOV_MIN_SIZE",
]


def choose_method(mono: Monomial) -> str:
    """The method ``"auto"`` uses for one block (see :func:`eqsolve.solve.registry.choose`)."""
    if not mono.leaves:
        return "orbit"
    return choose(mono).name


def estimate_block(mono: Monomial, method: str = "auto") -> WorkEstimate | None:
    """What solving one block by ``method`` would cost (None for tiny blocks and scalars, which
    are never estimated; see :mod:`eqsolve.solve.estimate`)."""
    if not mono.leaves or not needs_estimate(mono):
        return None
    solver = choose(mono) if method == "auto" else get_solver(method)
    return solver.estimate(mono) if solver.estimate is not None else None


def solve_block(
    mono: Monomial, method: str = "auto", cache: bool = True, max_seconds: float | None = MAX_SECONDS
) -> Basis:
    """Invariant basis of one monomial block, by ``method`` (a name of the solver table or
    ``"auto"``). A block whose estimated work is over ``max_seconds`` (or over the memory this
    machine may use) is refused with a :class:`WorkTooLargeError` stating the estimate."""
    chosen = choose_method(mono) if method == "auto" else get_solver(method).name
    key = (mono.key, chosen)
    if cache:
        hit = _cache.lookup(key, validate=lambda b: _cache.check_block_basis(mono, b))
        if hit is not None:
            return hit
    if not mono.leaves:  # a scalar block: everything is invariant
        basis: Basis = OrbitBasis(np.zeros(1, dtype=int), ())
    else:
        est = estimate_block(mono, chosen)
        if est is not None:
            check_work(est, max_seconds)
        ctx = SolveContext(auto=method == "auto", solve_sub=lambda sub: solve_block(sub, "auto", cache, max_seconds))
        basis = get_solver(chosen).solve(mono, ctx)
    if cache:
        _cache.store(key, basis)
    return basis


def estimate_rep(rep: Rep, method: str = "auto") -> list[tuple[Monomial, WorkEstimate | None]]:
    """The distinct blocks of ``rep`` with what solving each would cost (None: tiny)."""
    seen: dict = {}
    for mono in rep.monomials:
        if mono.key not in seen:
            seen[mono.key] = (mono, estimate_block(mono, method))
    return list(seen.values())


def solve_basis(
    rep: Rep,
    method: str = "auto",
    cache: bool = True,
    max_seconds: float | None = MAX_SECONDS,
    progress: Callable[[int, int, WorkEstimate | None], None] | None = None,
) -> RepBasis:
    """The equivariant basis of ``rep`` (see :class:`eqsolve.solve.basis.RepBasis`).

    Args:
        method: ``"auto"`` or a solver name (:func:`eqsolve.solve.registry.method_names`).
        cache: reuse and store solved blocks (in memory; on disk with ``set_cache_dir``).
        max_seconds: refuse (``WorkTooLargeError``, a ValueError stating the estimate) any block
            whose estimated work is longer; None: no limit (memory is still checked).
        progress: called as ``progress(i, n, estimate)`` before solving the i-th of n distinct
            blocks and ``progress(n, n, None)`` at the end (the CLI draws a progress bar).
    """
    if not isinstance(rep, Rep):
        raise TypeError(f"solve_basis needs a Rep, got {type(rep).__name__}")
    if not rep.is_bound:
        raise ValueError(f"rep {rep} is unbound: give it a group first, e.g. ({rep})(S(3))")
    if method != "auto":
        get_solver(method)  # an unknown name is refused before any block is solved
    solved: dict = {}
    blocks = []
    monos = rep.monomials
    n_distinct = len({mono.key for mono in monos}) if progress is not None else 0
    for mono in monos:
        k = mono.key
        if k not in solved:
            if progress is not None:
                progress(len(solved), n_distinct, estimate_block(mono, method))
            solved[k] = solve_block(mono, method, cache, max_seconds)
        blocks.append((mono, solved[k]))
    if progress is not None:
        progress(n_distinct, n_distinct, None)
    return RepBasis(rep, blocks)
