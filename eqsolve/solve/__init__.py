"""Basis solvers: dense SVD, matrix-free Krylov, exact orbits and equality patterns, block
splitting, work estimates and a cache.

Entry point: :func:`solve_basis` (also ``rep.equivariant_basis()``), returning a
:class:`RepBasis`; :func:`solve_block` solves one monomial block. The solvers are the rows of
one table, :data:`SOLVERS` (:mod:`eqsolve.solve.registry`); :func:`method_names` lists every
``method=`` string. A block's basis is a :class:`Basis` (abstract) in one of its final forms.
"""

from .api import choose_method, estimate_block, estimate_rep, solve_basis, solve_block
from .basis import Basis, CyclicBasis, DenseBasis, OrbitBasis, PatternBasis, PatternLabel, PermutationBasis, RepBasis
from .cache import clear_memory, set_cache_dir
from .estimate import MAX_SECONDS, WorkEstimate, WorkTooLargeError
from .registry import SOLVERS, Solver, method_names

__all__ = [
    # solving
    "solve_basis",
    "solve_block",
    "choose_method",
    "SOLVERS",
    "Solver",
    "method_names",
    # what a solve returns
    "RepBasis",
    "Basis",
    "DenseBasis",
    "PermutationBasis",
    "OrbitBasis",
    "CyclicBasis",
    "PatternBasis",
    "PatternLabel",
    # work estimates and refusals
    "estimate_rep",
    "estimate_block",
    "WorkEstimate",
    "WorkTooLargeError",
    "MAX_SECONDS",
    # the cache
    "set_cache_dir",
    "clear_memory",
]
