"""``solve_basis``: split a rep into monomial blocks, solve each distinct block once with the
right method, and assemble a :class:`RepBasis`.

Methods per block:
- ``"pattern"``: closed-form equality patterns (every axis a defining rep of some S(n));
- ``"cyclic"``: closed-form difference classes (every axis the regular rep of some Z(n));
- ``"orbit"``: exact orbits (every group acting is a permutation group);
- ``"product"``: blocks of direct products whose axes each belong to one factor (e.g.
  S(3) x SO(3) on 3x3 matrices): each factor's sub-block solved alone, bases Kronecker-combined;
- ``"dense"``: SVD nullspace, constraint by constraint (small blocks);
- ``"krylov"``: matrix-free nullspace (:mod:`eqsolve.solve.krylov`: weight-space reduction
  for Lie groups, LOBPCG with deflation otherwise);
- ``"auto"``: pattern, then cyclic, then orbit, then product; blocks larger than ``KRYLOV_MIN_SIZE`` on which a Lie
  algebra acts go to ``"krylov"`` (its weight-space reduction is faster than dense SVD from
  there on, see ``benchmarks/solve.py``; when the reduction does not apply, blocks up to
  ``DENSE_MAX_SIZE`` fall back to dense SVD); other blocks are dense up to ``DENSE_MAX_SIZE``
  and krylov (LOBPCG) above.
"""
from __future__ import annotations

import numpy as np

from ..reps.base import Rep
from ..reps.monomial import Monomial
from . import cache as _cache
from .basis import Basis, OrbitBasis, RepBasis
from .cyclic import is_cyclic_block, solve_cyclic
from .dense import solve_dense, solve_dense_stacked
from .orbit import solve_orbit
from .patterns import is_pattern_block, solve_pattern
from .product import is_product_block, solve_product

METHODS = ("auto", "pattern", "cyclic", "orbit", "product", "dense", "dense-stacked", "krylov")
DENSE_MAX_SIZE = 4096
KRYLOV_MIN_SIZE = 64  # below this, dense SVD beats the weight reduction's fixed overhead


def choose_method(mono: Monomial) -> str:
    if not mono.leaves:
        return "orbit"
    if is_pattern_block(mono):
        return "pattern"
    if is_cyclic_block(mono):
        return "cyclic"
    if all(f.is_permutation for f in mono.groups):
        return "orbit"
    if mono.size > KRYLOV_MIN_SIZE and is_product_block(mono):
        return "product"
    if mono.size > KRYLOV_MIN_SIZE and any(len(f.lie_algebra) for f in mono.groups):
        return "krylov"
    if mono.size <= DENSE_MAX_SIZE:
        return "dense"
    return "krylov"


def solve_block(mono: Monomial, method: str = "auto", cache: bool = True) -> Basis:
    """Invariant basis of one monomial block."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    chosen = choose_method(mono) if method == "auto" else method
    key = (mono.key, chosen)
    if cache:
        hit = _cache.lookup(key, validate=lambda b: _cache.check_block_basis(mono, b))
        if hit is not None:
            return hit
    if not mono.leaves:  # a scalar block: everything is invariant
        basis: Basis = OrbitBasis(np.zeros(1, dtype=int), ())
    elif chosen == "pattern":
        basis = solve_pattern(mono)
    elif chosen == "cyclic":
        basis = solve_cyclic(mono)
    elif chosen == "orbit":
        basis = solve_orbit(mono)
    elif chosen == "dense":
        basis = solve_dense(mono)
    elif chosen == "dense-stacked":
        basis = solve_dense_stacked(mono)
    elif chosen == "product":
        basis = solve_product(mono, lambda sub: solve_block(sub, "auto", cache))
    else:
        from .krylov import solve_krylov
        basis = solve_krylov(mono, dense_fallback=method == "auto" and mono.size <= DENSE_MAX_SIZE)
    if cache:
        _cache.store(key, basis)
    return basis


def solve_basis(rep: Rep, method: str = "auto", cache: bool = True) -> RepBasis:
    """The equivariant basis of ``rep`` (see :class:`eqsolve.solve.basis.RepBasis`)."""
    if not isinstance(rep, Rep):
        raise TypeError(f"solve_basis needs a Rep, got {type(rep).__name__}")
    if not rep.is_bound:
        raise ValueError(f"rep {rep} is unbound: give it a group first, e.g. ({rep})(S(3))")
    solved: dict = {}
    blocks = []
    for mono in rep.monomials:
        k = mono.key
        if k not in solved:
            solved[k] = solve_block(mono, method, cache)
        blocks.append((mono, solved[k]))
    return RepBasis(rep, blocks)
