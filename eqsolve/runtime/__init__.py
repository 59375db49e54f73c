"""JAX runtime: apply equivariant bases fast.

- :class:`LinearProgram`: ``rep_in -> rep_out`` compiled block by block (pooling programs for
  equality-pattern bases, lazy orbit gathers for other permutation bases, dense fallback);
- :class:`PatternProgram`, :class:`OrbitProgram`, :class:`DenseProgram`: the block programs;
- :class:`Layout`: flat rep vectors <-> multi-channel field tensors.
"""

from .compile import MODES, LinearProgram, compile_block
from .dense import DenseProgram
from .fields import Field, Layout
from .lazy import OrbitProgram
from .patterns import PatternProgram

__all__ = [
    "LinearProgram",
    "PatternProgram",
    "OrbitProgram",
    "DenseProgram",
    "Layout",
    "Field",
    "compile_block",
    "MODES",
]
