"""``solve_basis``: split a rep into monomial blocks, solve each distinct block once with the
solver the table in :mod:`eqsolve.solve.registry` names, and assemble a :class:`RepBasis`.

>>> from eqsolve.groups import S
>>> from eqsolve.reps import V
>>> B = solve_basis(V(S(5))**2 >> V(S(5))**2)
>>> B.shape, sorted(B.methods)
((625, 15), ['pattern'])
"""
from __future__ import annotations

import numpy as np

from ..reps.base import Rep
from ..reps.monomial import Monomial
from . import cache as _cache
from .basis import Basis, OrbitBasis, RepBasis
from .registry import DENSE_MAX_SIZE, KRYLOV_MIN_SIZE, SolveContext, choose, get_solver, method_names

__all__ = ["solve_basis", "solve_block", "choose_method", "DENSE_MAX_SIZE", "KRYLOV_MIN_SIZE"]


def choose_method(mono: Monomial) -> str:
    """The method ``"auto"`` uses for one block (see :func:`eqsolve.solve.registry.choose`)."""
    if not mono.leaves:
        return "orbit"
    return choose(mono).name


def solve_block(mono: Monomial, method: str = "auto", cache: bool = True) -> Basis:
    """Invariant basis of one monomial block, by ``method`` (a name of the solver table or
    ``"auto"``)."""
    chosen = choose_method(mono) if method == "auto" else get_solver(method).name
    key = (mono.key, chosen)
    if cache:
        hit = _cache.lookup(key, validate=lambda b: _cache.check_block_basis(mono, b))
        if hit is not None:
            return hit
    if not mono.leaves:  # a scalar block: everything is invariant
        basis: Basis = OrbitBasis(np.zeros(1, dtype=int), ())
    else:
        ctx = SolveContext(auto=method == "auto", solve_sub=lambda sub: solve_block(sub, "auto", cache))
        basis = get_solver(chosen).solve(mono, ctx)
    if cache:
        _cache.store(key, basis)
    return basis


def solve_basis(rep: Rep, method: str = "auto", cache: bool = True) -> RepBasis:
    """The equivariant basis of ``rep`` (see :class:`eqsolve.solve.basis.RepBasis`).

    Args:
        method: ``"auto"`` or a solver name (:func:`eqsolve.solve.registry.method_names`).
        cache: reuse and store solved blocks (in memory; on disk with ``set_cache_dir``).
    """
    if not isinstance(rep, Rep):
        raise TypeError(f"solve_basis needs a Rep, got {type(rep).__name__}")
    if not rep.is_bound:
        raise ValueError(f"rep {rep} is unbound: give it a group first, e.g. ({rep})(S(3))")
    if method != "auto":
        get_solver(method)  # an unknown name is refused before any block is solved
    solved: dict = {}
    blocks = []
    for mono in rep.monomials:
        k = mono.key
        if k not in solved:
            solved[k] = solve_block(mono, method, cache)
        blocks.append((mono, solved[k]))
    return RepBasis(rep, blocks)


METHODS = method_names()
