"""Shared base of the block programs that assemble a full weight tensor from the solver's
coefficients (orbit gather, dense basis): everything except *how* the tensor is built."""

from __future__ import annotations

import abc
import math

import jax.numpy as jnp
import numpy as np

from ..solve.basis import Basis


class WeightTensorProgram(abc.ABC):
    """Block ``in-field -> out-field`` applied as one contraction with a weight tensor
    (C_out, C_in, *out_shape, *in_shape) built by :meth:`weight` from weights (C_out, C_in, P).
    The program's weights are exactly the solver's coefficients: real, or complex for a block of
    a complex group (U(n), SU(n); :class:`~eqsolve.runtime.LinearProgram` stores them as real
    and imaginary parts and hands the program the complex array)."""

    kind: str  # "orbit" or "dense": which final program this is

    def __init__(self, basis: Basis, out_shape: tuple, in_shape: tuple):
        self.basis = basis
        self.out_shape, self.in_shape = tuple(out_shape), tuple(in_shape)
        self.n_out, self.n_in = len(out_shape), len(in_shape)
        self.num_params = basis.dim
        self.m_out = math.prod(out_shape)

    @abc.abstractmethod
    def weight(self, w):
        """(C_out, C_in, *out_shape, *in_shape) weight tensor from w (C_out, C_in, P)."""

    def init_scale(self, c_in: int) -> np.ndarray:
        return np.full(self.num_params, math.sqrt(self.m_out / (c_in * max(self.num_params, 1))))

    def __call__(self, w, x, sizes=None):
        O = "ABCDEFGHIJ"[: self.n_out]
        I = "KLMNOPQRST"[: self.n_in]
        return jnp.einsum(f"...c{I},dc{O}{I}->...d{O}", x, self.weight(w))

    def to_solver(self, w, sizes=None):
        return _real_or_complex(w)

    def from_solver(self, c, sizes=None):
        return _real_or_complex(c)


def _real_or_complex(a) -> np.ndarray:
    """float64, or complex128 for complex weights (reps of U(n), SU(n)): never cast to real."""
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64, copy=False)
