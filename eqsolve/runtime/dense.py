"""Dense fallback: W = Q @ w with the block's orthonormal basis Q (size, P) kept as a
constant. Used for continuous groups (SO(n), O(n), Lorentz, Sp, ...) whose bases carry no
pooling structure, or when asked for explicitly (``mode="dense"``, the reference layer that
the benchmarks compare against)."""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from ..memory import check_fits


class DenseProgram:
    """Block ``in-field -> out-field`` applied through its dense basis; weights (C_out, C_in, P)."""

    kind = "dense"

    def __init__(self, basis, out_shape: tuple, in_shape: tuple, dtype=np.float32):
        self.basis = basis
        self.out_shape, self.in_shape = tuple(out_shape), tuple(in_shape)
        self.n_out, self.n_in = len(out_shape), len(in_shape)
        self.num_params = basis.dim
        check_fits(basis.size * basis.dim * np.dtype(dtype).itemsize,
                   f"the dense basis of a block {self.out_shape} <- {self.in_shape} ({basis.size} x {basis.dim})")
        Q = basis.dense() if hasattr(basis, "dense") else np.asarray(basis.Q)
        self.Q = np.asarray(Q, dtype=dtype)
        self.m_out = math.prod(out_shape)

    def init_scale(self, c_in: int) -> np.ndarray:
        return np.full(self.num_params, math.sqrt(self.m_out / (c_in * max(self.num_params, 1))))

    def weight(self, w):
        W = jnp.einsum("dck,mk->dcm", w, jnp.asarray(self.Q, dtype=w.dtype))
        return W.reshape(w.shape[:2] + self.out_shape + self.in_shape)

    def __call__(self, w, x, sizes=None):
        O = "ABCDEFGHIJ"[:self.n_out]
        I = "KLMNOPQRST"[:self.n_in]
        return jnp.einsum(f"...c{I},dc{O}{I}->...d{O}", x, self.weight(w))

    def to_solver(self, w, sizes=None):
        return np.asarray(w, dtype=np.float64)

    def from_solver(self, c, sizes=None):
        return np.asarray(c, dtype=np.float64)

    def __repr__(self):
        return f"DenseProgram({self.num_params} basis vectors, {self.out_shape} <- {self.in_shape})"
