"""Exchangeable model of a relational tensor, built only from solved bases.

The data is a tensor X[h, t, r] (E, E, R). One permutation of the entities acts on axes 0 and 1
*jointly* (an entity is both a head and a tail) and another permutation acts on the relations:
the group is S(E) x S(R) with the rep ``V(S(E))**2 * V(S(R))``. Each layer is
``nn.Linear(C_in * X, C_out * X)``: its basis is ``(X >> X).equivariant_basis()`` (Bell(4) *
Bell(2) = 15 * 2 = 30 equality patterns for E >= 4, R >= 2: diagonals, transposes and pools of
the entity axes times the relation patterns), compiled by :mod:`eqsolve.runtime` to pooling on
dense tensors of shape (B, C, E, E, R). Nothing here writes a pooling by hand.

Shapes: inputs x (B, C_in, E, E, R) float; outputs logits (B, E, E, R).

Variant ``relations="channels"``: the group is S(E) only (``V(S(E))**2``, 15 patterns per
layer) and the relations are channels of the input and output layers (relation-specific
weights; hidden layers carry C features per entity pair, not C per (pair, relation)). It
gives up the relation symmetry, which Kinships and UMLS do not have in their semantics (every
relation means something different), and is cheaper: hidden layers are (B, C, E, E). Pattern programs are
size-agnostic, so a model built for (E, R) applies to any number of entities (inductive use);
with ``pooling="mean"`` pooled values do not grow with E.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from ..groups import S
from ..nn import Linear
from ..reps import V

__all__ = ["RelationalNet", "channel_dropout", "relational_rep"]


def relational_rep(num_entities: int, num_relations: int):
    """``V(S(E))**2 * V(S(R))``: entities act jointly on the head and tail axes (size E*E*R)."""
    return V(S(num_entities, label="entities")) ** 2 * V(S(num_relations, label="relations"))


def channel_dropout(key, x, rate: float):
    """Drop whole channels of x (B, C, ...): one Bernoulli draw per (example, channel), shared by
    every entry (so the map stays equivariant); kept channels are scaled by 1 / (1 - rate)."""
    if rate <= 0.0 or key is None:
        return x
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"channel dropout rate must be in [0, 1), got {rate}")
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape[:2] + (1,) * (x.ndim - 2))
    return jnp.where(keep, x / (1.0 - rate), 0.0)


class RelationalNet(nnx.Module):
    """A stack of exchangeable layers ``C_k * X -> C_{k+1} * X`` with ReLU, channel dropout and
    residual connections between layers of equal width; the last layer gives one logit per entry.
    ``relations``: "exchangeable" (S(E) x S(R), the default) or "channels" (S(E) only, see the
    module docstring). ``input_scale``: inputs are multiplied by it first (pooled means of a
    sparse 0/1 tensor are small; a larger scale speeds up learning from them).

    Args:
        num_entities, num_relations: E and R of the tensor the layers are solved for (the model
            applies to any E at call time).
        in_channels: input channels (indicator channels of the observed triples).
        channels: widths of the hidden layers.
        dropout: channel dropout rate on hidden layers (training only).
        pooling: "mean" (size-generalising) or "sum".
        rngs: ``nnx.Rngs``.
    """

    def __init__(
        self,
        num_entities: int,
        num_relations: int,
        *,
        in_channels: int = 1,
        channels=(32, 32, 32),
        dropout: float = 0.1,
        pooling: str = "mean",
        relations: str = "exchangeable",
        input_scale: float = 1.0,
        rngs: nnx.Rngs,
    ):
        if not channels:
            raise ValueError("RelationalNet needs at least one hidden layer (channels=(C, ...))")
        if relations not in ("exchangeable", "channels"):
            raise ValueError(
                f"relations must be 'exchangeable' (S(E) x S(R)) or 'channels' (S(E) only, one "
                f"channel per relation), got {relations!r}"
            )
        if relations == "exchangeable":
            X = relational_rep(num_entities, num_relations)
            widths = [in_channels, *channels, 1]
        else:
            X = V(S(num_entities, label="entities")) ** 2
            widths = [in_channels * num_relations, *channels, num_relations]
        self.layers = nnx.List(
            [Linear(a * X, b * X, rngs=rngs, pooling=pooling) for a, b in zip(widths[:-1], widths[1:])]
        )
        self.widths = tuple(widths)
        self.dropout = float(dropout)
        self.relations = relations
        self.input_scale = float(input_scale)
        self.rep = X

    def __call__(self, x, *, key=None):
        """x (B, C_in, E, E, R) -> logits (B, E, E, R). ``key``: dropout key (None = eval)."""
        if x.ndim != 5 or x.shape[2] != x.shape[3]:
            raise ValueError(f"RelationalNet takes x of shape (B, C, E, E, R); got {x.shape}")
        return self.from_native(self.forward_native(self.to_native(x), key=key))

    # The layers' own layout ("native"): (B, C, E, E, R) for S(E) x S(R); (B, C * R, E, E) for
    # relations="channels". Training keeps every per-entry tensor (input, mask, target) in it, so
    # that no step transposes the relation axis (a strided copy of the whole tensor, per step).
    def to_native(self, x):
        """x (B, C, E, E, R) -> the layers' layout (see above)."""
        if self.relations == "channels":
            B, C, E, _, R = x.shape
            return jnp.moveaxis(x, 4, 2).reshape(B, C * R, E, E)
        return x

    def from_native(self, h):
        """Native logits -> (B, E, E, R)."""
        if self.relations == "channels":  # (B, R, E, E) -> (B, E, E, R)
            return jnp.moveaxis(h, 1, 3)
        return h[:, 0]

    def forward_native(self, x, *, key=None):
        """x in the native layout -> native logits ((B, 1, E, E, R) or (B, R, E, E))."""
        n = len(self.layers)
        keys = [None] * n if key is None else list(jax.random.split(key, n))
        h = x * self.input_scale
        for i, layer in enumerate(self.layers):
            y = layer.apply_fields([h])[0]
            if i < n - 1:
                y = jax.nn.relu(y)
                y = channel_dropout(keys[i], y, self.dropout)
                if self.widths[i] == self.widths[i + 1]:
                    y = y + h
            h = y
        return h
