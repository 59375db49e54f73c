"""Basis solvers: dense SVD, matrix-free Krylov, exact orbits and equality patterns, block
splitting and a cache. Entry point: :func:`solve_basis` (also ``rep.equivariant_basis()``);
the solvers are the rows of one table, :data:`SOLVERS` (:mod:`eqsolve.solve.registry`)."""
from .api import DENSE_MAX_SIZE, METHODS, choose_method, estimate_block, estimate_rep, solve_basis, solve_block
from .estimate import MAX_SECONDS, WorkEstimate, WorkTooLargeError
from .basis import Basis, CyclicBasis, DenseBasis, OrbitBasis, PatternBasis, PatternLabel, RepBasis
from .cache import clear_memory, set_cache_dir
from .krylov import solve_krylov
from .patterns import set_partitions
from .registry import SOLVERS, Solver, method_names

__all__ = ["solve_basis", "solve_block", "choose_method", "METHODS", "DENSE_MAX_SIZE", "Basis", "CyclicBasis", "DenseBasis",
           "OrbitBasis", "PatternBasis", "PatternLabel", "RepBasis", "set_cache_dir", "clear_memory",
           "set_partitions", "solve_krylov", "SOLVERS", "Solver", "method_names", "estimate_block", "estimate_rep",
           "MAX_SECONDS", "WorkEstimate", "WorkTooLargeError"]
