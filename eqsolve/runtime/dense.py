"""Dense fallback: W = Q @ w with the block's orthonormal basis Q (size, P) kept as a
constant. Used for continuous groups (SO(n), O(n), Lorentz, Sp, ...) whose bases carry no
pooling structure, or when asked for explicitly (``mode="dense"``, the reference layer that
the benchmarks compare against)."""

from __future__ import annotations

from typing import final

import jax.numpy as jnp
import numpy as np

from ..memory import check_fits
from ..solve.basis import Basis
from .weighted import WeightTensorProgram


@final
class DenseProgram(WeightTensorProgram):
    """Block ``in-field -> out-field`` applied through its dense basis; weights (C_out, C_in, P)."""

    kind = "dense"

    def __init__(self, basis: Basis, out_shape: tuple, in_shape: tuple, dtype=np.float32):
        super().__init__(basis, out_shape, in_shape)
        # a complex basis (reps of U(n), SU(n)) is kept complex: complex64 for float32, etc.
        self.is_complex = basis.is_complex
        if self.is_complex:
            dtype = np.result_type(dtype, np.complex64)
        check_fits(
            basis.size * basis.dim * np.dtype(dtype).itemsize,
            f"the dense basis of a block {self.out_shape} <- {self.in_shape} ({basis.size} x {basis.dim})",
        )
        Q = basis.dense()
        if np.iscomplexobj(Q) and not self.is_complex:
            self.is_complex, dtype = True, np.result_type(dtype, np.complex64)
        self.Q = np.asarray(Q, dtype=dtype)

    def weight(self, w):
        if self.is_complex and not jnp.iscomplexobj(w):
            raise TypeError(
                f"{self!r} has a complex basis (a rep of U(n) or SU(n)): its weights must be complex "
                f"(LinearProgram passes real + 1j * imaginary parts), got dtype {w.dtype}"
            )
        W = jnp.einsum("dck,mk->dcm", w, jnp.asarray(self.Q, dtype=w.dtype))
        return W.reshape(w.shape[:2] + self.out_shape + self.in_shape)

    def __repr__(self):
        return f"DenseProgram({self.num_params} basis vectors, {self.out_shape} <- {self.in_shape})"
