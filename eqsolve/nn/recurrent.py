"""Recurrent set models: an RNN (GRU or LSTM cell, Flax NNX) that reads a set as a sequence.

An RNN is not permutation invariant by construction; :mod:`eqsolve.nn.sire` holds the
regularizers (SIRE, SUB) that push it towards invariance (Cohen-Karlik, Ben David, Globerson,
"Regularizing Towards Permutation Invariance in Recurrent Models", NeurIPS 2020).

Shapes and conventions
----------------------
- ``xs``: (batch, T) integer tokens when the model has an embedding (``num_embeddings`` given),
  else (batch, T, in_features) floats.
- ``mask``: optional (batch, T) bool, True for real elements; padded steps leave the state
  unchanged, so a padded sequence gives exactly the state of its unpadded prefix.
- The state ("carry") is a pytree of arrays with leading batch dims: ``h`` (.., H) for a GRU,
  ``(c, h)`` for an LSTM. :meth:`RecurrentSetModel.step` is the transition ``f(s, x)``
  that SIRE differentiates through.
- The readout sees the whole carry (for an LSTM both ``c`` and ``h``): the LSTM memory cell is
  unbounded, which is what lets an LSTM keep counting/summing past the lengths it was trained on.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

__all__ = ["RecurrentSetModel", "make_cell"]

_CELLS = ("gru", "lstm")


def make_cell(kind: str, in_features: int, hidden: int, *, rngs: nnx.Rngs) -> nnx.Module:
    """A Flax NNX recurrent cell: ``"gru"`` (nnx.GRUCell) or ``"lstm"`` (nnx.OptimizedLSTMCell)."""
    kind = kind.lower()
    if kind == "gru":
        return nnx.GRUCell(in_features, hidden, rngs=rngs)
    if kind == "lstm":
        return nnx.OptimizedLSTMCell(in_features, hidden, rngs=rngs)
    raise ValueError(f"unknown cell {kind!r}; expected one of {_CELLS}")


class RecurrentSetModel(nnx.Module):
    """Embedding (optional) -> GRU/LSTM over the sequence -> MLP readout of the final state.

    Args:
      in_features: size of each input element when inputs are float vectors; ignored (may be
        None) when ``num_embeddings`` is given.
      hidden: state size H of the cell.
      out_features: size of the output.
      num_embeddings: if given, inputs are integer tokens in [0, num_embeddings) and are
        embedded to ``embed_dim`` features first.
      embed_dim: embedding width (default: ``hidden``).
      cell: ``"gru"`` or ``"lstm"``.
      readout_hidden: hidden width of the readout MLP; 0 means a linear readout.
      rngs: nnx.Rngs.
    """

    def __init__(
        self,
        in_features: int | None,
        hidden: int,
        out_features: int,
        *,
        num_embeddings: int | None = None,
        embed_dim: int | None = None,
        cell: str = "gru",
        readout_hidden: int = 0,
        rngs: nnx.Rngs,
    ):
        if num_embeddings is None and in_features is None:
            raise ValueError("RecurrentSetModel needs in_features or num_embeddings")
        self.cell_kind = cell.lower()
        self.hidden = hidden
        self.num_embeddings = num_embeddings
        if num_embeddings is not None:
            embed_dim = embed_dim or hidden
            self.embed = nnx.Embed(num_embeddings, embed_dim, rngs=rngs)
            feat = embed_dim
        else:
            self.embed = None
            feat = int(in_features)
        self.cell = make_cell(self.cell_kind, feat, hidden, rngs=rngs)
        state_dim = 2 * hidden if self.cell_kind == "lstm" else hidden
        if readout_hidden:
            self.readout_hidden = nnx.Linear(state_dim, readout_hidden, rngs=rngs)
            self.readout_out = nnx.Linear(readout_hidden, out_features, rngs=rngs)
        else:
            self.readout_hidden = None
            self.readout_out = nnx.Linear(state_dim, out_features, rngs=rngs)

    # ----- the transition f(s, x) -------------------------------------------------------
    def initial_state(self, batch_shape: tuple[int, ...]) -> Any:
        """Zero state with leading dims ``batch_shape``."""
        z = jnp.zeros(tuple(batch_shape) + (self.hidden,), jnp.float32)
        return (z, z) if self.cell_kind == "lstm" else z

    def encode(self, x: jax.Array) -> jax.Array:
        """Raw input element(s) -> cell input features (..., F)."""
        if self.embed is not None:
            return self.embed(x.astype(jnp.int32))
        return x.astype(jnp.float32)

    def step(self, state: Any, x: jax.Array) -> Any:
        """One transition ``f(s, x)`` on raw input elements ``x`` (leading dims = state's)."""
        new_state, _ = self.cell(state, self.encode(x))
        return new_state

    # ----- reading sequences ------------------------------------------------------------
    def states(self, xs: jax.Array, mask: jax.Array | None = None, state0: Any = None) -> Any:
        """All states while reading ``xs``: pytree with leading dims (T+1, batch).

        Index 0 is the initial state, index t the state after t (unmasked) elements.
        """
        B, T = xs.shape[0], xs.shape[1]
        s0 = self.initial_state((B,)) if state0 is None else state0
        feats = self.encode(xs)  # (B, T, F)
        feats_t = jnp.swapaxes(feats, 0, 1)
        mask_t = jnp.ones((T, B), bool) if mask is None else jnp.swapaxes(mask, 0, 1)

        cell = self.cell

        def body(s, inp):
            f, m = inp
            s_new, _ = cell(s, f)
            s_new = jax.tree.map(lambda a, b: jnp.where(m[:, None], a, b), s_new, s)
            return s_new, s_new

        # the cell is read-only here, so closing over it inside lax.scan is safe
        _, seq = jax.lax.scan(body, s0, (feats_t, mask_t))
        return jax.tree.map(lambda a0, a: jnp.concatenate([a0[None], a], 0), s0, seq)

    def final_state(self, xs: jax.Array, mask: jax.Array | None = None) -> Any:
        """State after reading each whole (masked) sequence: leading dim batch."""
        return jax.tree.map(lambda a: a[-1], self.states(xs, mask))

    def readout(self, state: Any) -> jax.Array:
        """State pytree (..., H) -> output (..., out_features)."""
        z = jnp.concatenate(state, -1) if self.cell_kind == "lstm" else state
        if self.readout_hidden is not None:
            z = nnx.relu(self.readout_hidden(z))
        return self.readout_out(z)

    def __call__(self, xs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """(batch, T[, F]) -> (batch, out_features)."""
        return self.readout(self.final_state(xs, mask))
