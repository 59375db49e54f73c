"""Orbit bases (permutation groups that are not plain S(n) tensor reps: Z(n), DihedralPerm(n), the
Rubik's cube group, products of permutation groups on sums of points, ...).

The weight matrix of a block is assembled lazily from the orbit index, W[o, i] =
w[orbit(o, i)] / sqrt(count): a gather of the P coefficients, O(size) work and memory,
never the (size, P) dense basis. The program's weights are exactly the solver's coefficients
(complex in a layer of a complex group, e.g. the Z(4) blocks of SU(2) x Z(4): the gather is the
same).
"""

from __future__ import annotations

from typing import final

import jax.numpy as jnp
import numpy as np

from ..solve.basis import PermutationBasis
from .weighted import WeightTensorProgram


@final
class OrbitProgram(WeightTensorProgram):
    """Block ``in-field -> out-field`` with a :class:`~eqsolve.solve.PermutationBasis` (orbit or
    cyclic); weights (C_out, C_in, P)."""

    kind = "orbit"

    def __init__(self, basis: PermutationBasis, out_shape: tuple, in_shape: tuple):
        super().__init__(basis, out_shape, in_shape)
        self.orbit_of = np.asarray(basis.orbit_of, dtype=np.int32)
        self.inv_sqrt = (1.0 / np.sqrt(basis.counts)).astype(np.float32)

    def weight(self, w):
        """(C_out, C_in, *out_shape, *in_shape) weight tensor."""
        ws = w * jnp.asarray(self.inv_sqrt, dtype=w.dtype)
        W = jnp.take(ws, jnp.asarray(self.orbit_of), axis=-1)
        return W.reshape(w.shape[:2] + self.out_shape + self.in_shape)

    def __repr__(self):
        return f"OrbitProgram({self.num_params} orbits, {self.out_shape} <- {self.in_shape})"
