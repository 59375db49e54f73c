"""Predicting sets of unknown size (Rezatofighi, Kaskman, Motlagh, Shi, Cremers, Leal-Taixe,
Reid, "DeepSetNet: Predicting Sets with Deep Neural Networks", ICCV 2017).

The model outputs a distribution over the set, factored as in the paper into a cardinality
distribution and element distributions:

    p(Y | x) = p(m | x) * m! * prod_{i<=m} p(y_i | x),   m = |Y|,

with ``p(m | x)`` a categorical over 0..max_size (``card_logits``) and the elements read off
``max_size`` output slots: slot s has a location ``slots[:, s]`` (an isotropic Gaussian mean,
unit variance) and an existence score ``scores[:, s]`` (a Bernoulli logit, the element's rank
for prediction). Which slot explains which target element is not given; the element loss uses
the best assignment, found by the Hungarian method (``scipy.optimize.linear_sum_assignment``),
so the loss is invariant to the order of the target elements and to the order of the slots.

Loss (:func:`set_loss`), per set with m target elements:
    CE(card_logits, m)
    + (1/m) sum over matched (slot s, target j) of ||slots[s] - y_j||^2     (0 when m = 0)
    + mean over slots of BCE(scores[s], [s is matched])
The assignment minimises ||slots[s] - y_j||^2 - score_weight * log sigmoid(scores[s]) and is
computed on the host through ``jax.pure_callback`` (so the loss works under ``jax.jit``; no
gradient flows through the assignment, which is piecewise constant).

Prediction (:func:`predict_set`): m_hat = argmax p(m | x); the m_hat slots with the highest
scores, returned with a (B, max_size) mask. Metrics: :func:`cardinality_accuracy` and
:func:`exact_match` (cardinality right and, after Hungarian matching, every predicted element
within ``tol`` of its target in every coordinate).

Shapes: targets are (B, max_size, D) with a (B, max_size) bool mask (real elements first or
anywhere); inputs are whatever the encoder takes (default: a DeepSets over (B, n, F) sets).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from scipy.optimize import linear_sum_assignment

from .sets import DeepSets

__all__ = ["SetPredictor", "hungarian_assignment", "set_loss", "predict_set", "cardinality_accuracy", "exact_match"]


class SetPredictor(nnx.Module):
    """Invariant encoder -> (cardinality logits, slot locations, slot scores).

    Args:
      in_features: element feature size F of the input set (B, n, F).
      out_dim: dimension D of each predicted element.
      max_size: largest predictable cardinality (number of slots).
      hidden: width of the encoder and heads.
      embed: size of the set embedding produced by the encoder.
      encoder: any module mapping (inputs, mask) -> (B, embed); default a
        :class:`~eqsolve.nn.sets.DeepSets` (exactly permutation invariant).
      rngs: nnx.Rngs.
    ``__call__(x, mask=None)`` returns a dict: ``card_logits`` (B, max_size+1), ``slots``
    (B, max_size, D), ``scores`` (B, max_size).
    """

    def __init__(
        self,
        in_features: int,
        out_dim: int,
        max_size: int,
        *,
        hidden: int = 64,
        embed: int = 64,
        encoder: nnx.Module | None = None,
        rngs: nnx.Rngs,
    ):
        if max_size < 1:
            raise ValueError(f"max_size must be >= 1, got {max_size}")
        self.max_size, self.out_dim = max_size, out_dim
        self.encoder = encoder if encoder is not None else DeepSets(in_features, hidden, embed, rngs=rngs)
        self.hidden_layer = nnx.Linear(embed, hidden, rngs=rngs)
        self.card_head = nnx.Linear(hidden, max_size + 1, rngs=rngs)
        self.slot_head = nnx.Linear(hidden, max_size * (out_dim + 1), rngs=rngs)

    def __call__(self, x, mask=None) -> dict:
        z = self.encoder(x, mask)
        h = nnx.relu(self.hidden_layer(nnx.relu(z)))
        s = self.slot_head(h).reshape(h.shape[0], self.max_size, self.out_dim + 1)
        return {"card_logits": self.card_head(h), "slots": s[..., : self.out_dim], "scores": s[..., self.out_dim]}


def _assign_host(cost: np.ndarray, tmask: np.ndarray) -> np.ndarray:
    """cost (B, S, M), tmask (B, M) -> (B, M) int32: the slot assigned to each real target
    (-1 for padding)."""
    cost, tmask = np.asarray(cost, np.float64), np.asarray(tmask, bool)
    out = np.full(tmask.shape, -1, np.int32)
    for b in range(cost.shape[0]):
        cols = np.flatnonzero(tmask[b])
        if cols.size:
            rows, c = linear_sum_assignment(cost[b][:, cols])
            out[b, cols[c]] = rows
    return out


def hungarian_assignment(cost: jax.Array, target_mask: jax.Array) -> jax.Array:
    """Minimum-cost assignment of targets to slots, usable inside ``jax.jit``.

    cost: (B, S, M) with S >= number of real targets; target_mask: (B, M) bool.
    Returns (B, M) int32: slot index per real target, -1 for padded targets.
    """
    if cost.shape[1] < cost.shape[2]:
        raise ValueError(f"{cost.shape[1]} slots cannot hold up to {cost.shape[2]} targets")
    out = jax.ShapeDtypeStruct(target_mask.shape, jnp.int32)
    return jax.pure_callback(_assign_host, out, jax.lax.stop_gradient(cost), target_mask, vmap_method="sequential")


def set_loss(outputs: dict, target: jax.Array, target_mask: jax.Array, *, score_weight: float = 1.0) -> tuple:
    """Permutation-invariant set loss (module docstring). Returns (scalar loss, parts dict with
    ``card``, ``element``, ``score`` means over the batch)."""
    slots, scores, logits = outputs["slots"], outputs["scores"], outputs["card_logits"]
    B, S, _ = slots.shape
    m = target_mask.sum(-1)
    if target.shape[1] > S:
        raise ValueError(f"targets hold up to {target.shape[1]} elements but the model has {S} slots")
    d2 = jnp.sum((slots[:, :, None, :] - target[:, None, :, :]) ** 2, -1)  # (B, S, M)
    cost = d2 - score_weight * jax.nn.log_sigmoid(scores)[:, :, None]
    assign = hungarian_assignment(cost, target_mask)  # (B, M)
    tm = target_mask.astype(slots.dtype)
    matched_d2 = jnp.take_along_axis(d2, jnp.maximum(assign, 0)[:, None, :], axis=1)[:, 0]  # (B, M)
    element = jnp.sum(matched_d2 * tm, -1) / jnp.maximum(m, 1)
    is_matched = jnp.zeros((B, S), slots.dtype).at[jnp.arange(B)[:, None], jnp.maximum(assign, 0)].max(tm)
    score = jnp.mean(optax.sigmoid_binary_cross_entropy(scores, is_matched), -1)
    card = optax.softmax_cross_entropy_with_integer_labels(logits, m)
    parts = {"card": card.mean(), "element": element.mean(), "score": score.mean()}
    return parts["card"] + parts["element"] + score_weight * parts["score"], parts


def predict_set(outputs: dict) -> tuple[jax.Array, jax.Array]:
    """(elements (B, S, D) ordered by score, mask (B, S)): the argmax-cardinality many
    highest-scoring slots are real."""
    m_hat = jnp.argmax(outputs["card_logits"], -1)
    order = jnp.argsort(-outputs["scores"], -1)
    elems = jnp.take_along_axis(outputs["slots"], order[..., None], axis=1)
    mask = jnp.arange(elems.shape[1])[None] < m_hat[:, None]
    return elems, mask


def cardinality_accuracy(pred_mask, target_mask) -> float:
    """Fraction of sets whose predicted size equals the true size."""
    return float(np.mean(np.asarray(pred_mask).sum(-1) == np.asarray(target_mask).sum(-1)))


def exact_match(pred, pred_mask, target, target_mask, tol: float) -> np.ndarray:
    """(B,) bool: same cardinality and, under the Hungarian matching of predicted to target
    elements (squared distance), every coordinate within ``tol``."""
    pred, target = np.asarray(pred, np.float64), np.asarray(target, np.float64)
    pm, tm = np.asarray(pred_mask, bool), np.asarray(target_mask, bool)
    out = np.zeros(len(pred), bool)
    for b in range(len(pred)):
        P, T = pred[b][pm[b]], target[b][tm[b]]
        if len(P) != len(T):
            continue
        if len(T) == 0:
            out[b] = True
            continue
        r, c = linear_sum_assignment(((P[:, None] - T[None]) ** 2).sum(-1))
        out[b] = bool(np.all(np.abs(P[r] - T[c]) <= tol))
    return out
