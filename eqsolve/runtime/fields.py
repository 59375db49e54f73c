"""Layout of a rep's flat vector as *fields*: one field per distinct monomial type (the
tensor product of leaves, e.g. ``V[S(5)]⊗V[S(5)]``) with as many channels as the type occurs.

``16*V(S(n)) + T(2)`` has two fields: ``V`` with 16 channels (tensor (..., 16, n)) and ``V⊗V``
with 1 channel (tensor (..., 1, n, n)). Channels of a field are in coordinate order, so a
channel-major ``x.reshape(batch, 16, n)`` is exactly the field tensor of ``16*V``.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np


class Field:
    """One monomial type of a rep, with its channels.

    Attributes:
        key: the monomial key (tuple of leaf keys).
        leaves: the leaves (BaseReps) of one channel.
        shape: tensor shape of one channel.
        index: int64 (channels, *shape) flat coordinates of the field in the rep vector.
    """

    def __init__(self, key, leaves, monos):
        self.key = key
        self.leaves = tuple(leaves)
        self.shape = tuple(monos[0].shape)
        self.monos = list(monos)
        self.index = np.stack([m.index_array() for m in monos]) if monos else np.zeros((0,) + self.shape, np.int64)

    @property
    def channels(self) -> int:
        return len(self.monos)

    @property
    def size(self) -> int:
        return self.channels * math.prod(self.shape)

    def __repr__(self):
        return f"Field({'⊗'.join(str(l) for l in self.leaves) or 'Scalar'} x {self.channels}, shape={self.shape})"


class Layout:
    """Split a flat (..., size) rep vector into field tensors (..., C, *shape) and back.

    Attributes:
        fields: list of :class:`Field` in order of first appearance.
        position: for every monomial of the rep (in rep order) the pair (field index, channel).
    """

    def __init__(self, rep):
        self.rep = rep
        self.size = rep.size()
        monos = rep.monomials
        order: dict = {}
        self.position = []
        for m in monos:
            if m.key not in order:
                order[m.key] = []
            self.position.append((list(order).index(m.key), len(order[m.key])))
            order[m.key].append(m)
        self.fields = [Field(k, ms[0].leaves, ms) for k, ms in order.items()]
        perm = np.concatenate([f.index.reshape(-1) for f in self.fields]) if self.fields else np.zeros(0, np.int64)
        self.identity = bool(np.array_equal(perm, np.arange(self.size)))
        self.perm = perm
        self.inverse = np.argsort(perm)
        self.splits = np.cumsum([f.size for f in self.fields])[:-1].tolist()

    def split(self, x):
        """x (..., size) -> list of field tensors (..., C_f, *shape_f)."""
        if x.shape[-1] != self.size:
            raise ValueError(f"expected inputs of size {self.size} for {self.rep}, got shape {x.shape}")
        if not self.identity:
            x = jnp.take(x, self.perm, axis=-1)
        parts = jnp.split(x, self.splits, axis=-1) if self.splits else [x]
        batch = x.shape[:-1]
        return [p.reshape(batch + (f.channels,) + f.shape) for p, f in zip(parts, self.fields)]

    def merge(self, fields):
        """Inverse of :meth:`split`: list of (..., C_f, *shape_f) -> (..., size)."""
        batch = fields[0].shape[: fields[0].ndim - 1 - len(self.fields[0].shape)]
        flat = [t.reshape(batch + (-1,)) for t in fields]
        x = flat[0] if len(flat) == 1 else jnp.concatenate(flat, axis=-1)
        if not self.identity:
            x = jnp.take(x, self.inverse, axis=-1)
        return x

    def __repr__(self):
        return f"Layout({self.rep}: {self.fields})"
