"""Orbit bases (permutation groups that are not plain S(n) tensor reps: Z(n), D(n), the
Rubik's cube group, products of permutation groups on sums of points, ...).

The weight matrix of a block is assembled lazily from the orbit index, W[o, i] =
w[orbit(o, i)] / sqrt(count): a gather of the P coefficients, O(size) work and memory,
never the (size, P) dense basis. The program's weights are exactly the solver's coefficients.
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np


class OrbitProgram:
    """Block ``in-field -> out-field`` with an :class:`OrbitBasis`; weights (C_out, C_in, P)."""

    kind = "orbit"

    def __init__(self, basis, out_shape: tuple, in_shape: tuple):
        self.basis = basis
        self.out_shape, self.in_shape = tuple(out_shape), tuple(in_shape)
        self.n_out, self.n_in = len(out_shape), len(in_shape)
        self.num_params = basis.dim
        self.orbit_of = np.asarray(basis.orbit_of, dtype=np.int32)
        self.inv_sqrt = (1.0 / np.sqrt(basis.counts)).astype(np.float32)
        self.m_out = math.prod(out_shape)

    def init_scale(self, c_in: int) -> np.ndarray:
        return np.full(self.num_params, math.sqrt(self.m_out / (c_in * max(self.num_params, 1))))

    def weight(self, w):
        """(C_out, C_in, *out_shape, *in_shape) weight tensor."""
        ws = w * jnp.asarray(self.inv_sqrt, dtype=w.dtype)
        W = jnp.take(ws, jnp.asarray(self.orbit_of), axis=-1)
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
        return f"OrbitProgram({self.num_params} orbits, {self.out_shape} <- {self.in_shape})"
