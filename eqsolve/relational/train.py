"""Masked self-supervised training of :class:`RelationalNet` for link prediction.

Protocol (one step): the input is the training tensor with a random fraction ``hide`` of its
known triples hidden (set to 0), as one indicator channel (B, 1, E, E, R) (B independent masks);
the model scores every entry; the loss is the binary cross-entropy over every entry that is *not
visible* in the input: hidden training triples are positives, entries that are not training
triples are negatives. Inverse relations need no extra channel: the solved basis already holds
the transposes of the entity axes. Channel dropout on hidden layers.

Speed: the input, mask and target live in the layers' own layout (``RelationalNet.to_native``:
(R, E, E) channels for ``relations="channels"``), so no step transposes the relation axis, and
the ``eval_every`` steps between evaluations run as one compiled ``lax.scan`` (no per-step
dispatch or host work). On 2 CPU cores: Kinships 97 -> 30-45 ms per step, UMLS 60-70 ms.

Early stopping: every ``eval_every`` steps the model scores the full training tensor (nothing
hidden, no dropout) and the filtered MRR on the *valid* split is computed with train + valid as
the filter; the best weights are kept and training stops after ``patience`` evaluations
without improvement. The test split is not touched here (the caller scores it once, at the end).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from .data import KGData, known_tensor, to_tensor
from .evaluate import evaluate_scores
from .model import RelationalNet

__all__ = ["FitResult", "TrainConfig", "fit", "masked_input", "score_tensor"]


@dataclass
class TrainConfig:
    """Hyper-parameters of :func:`fit` (defaults: a small model that trains Nations in seconds)."""

    channels: tuple = (32, 32, 32)
    dropout: float = 0.1
    pooling: str = "mean"
    hide: float = 0.2  # fraction of training triples hidden per step
    batch: int = 1  # independent masks per step
    lr: float = 3e-3
    weight_decay: float = 0.0
    steps: int = 1000  # upper bound; early stopping usually ends sooner
    eval_every: int = 50
    patience: int = 8  # evaluations without improvement of valid MRR
    pos_weight: float = 1.0  # weight of positive (hidden) entries in the loss
    relations: str = "exchangeable"  # or "channels" (S(E) only; see RelationalNet)
    input_scale: float = 5.0  # inputs are multiplied by this inside the model
    seed: int = 0
    time_limit: float | None = None  # seconds of training; the best weights so far are kept


@dataclass
class FitResult:
    """What :func:`fit` returns: the model with the best valid weights loaded."""

    model: RelationalNet
    best_step: int
    best_valid: dict
    history: list = field(default_factory=list)
    seconds: float = 0.0
    steps_run: int = 0


def masked_input(key, X, hide: float, batch: int):
    """X (E, E, R) 0/1 -> (visible (B, 1, E, E, R), loss mask (B, E, E, R)): each training triple
    is hidden with probability ``hide``; the loss mask is 1 on every entry not visible. Works on
    any layout: X (*shape) -> (B, 1, *shape), (B, *shape) (:func:`fit` passes the native one)."""
    keep = jax.random.bernoulli(key, 1.0 - hide, (batch,) + X.shape).astype(X.dtype)
    vis = keep * X[None]
    return vis[:, None], 1.0 - vis


def score_tensor(model: RelationalNet, X) -> np.ndarray:
    """Scores (E, E, R) (logits, float32) of every entry given the observed 0/1 tensor X (E, E, R)."""
    return np.asarray(_score(model, jnp.asarray(X, jnp.float32)))


@nnx.jit
def _score(model, X):
    return model(X[None, None])[0]


def fit(data: KGData, cfg: TrainConfig | None = None, *, train_triples=None, log=None) -> FitResult:
    """Train on ``data.splits["train"]`` (or ``train_triples``), early-stop on valid MRR.

    ``log``: optional callable receiving one dict per evaluation (step, loss, valid metrics)."""
    cfg = cfg or TrainConfig()
    t0 = time.perf_counter()
    train = data.splits["train"] if train_triples is None else np.asarray(train_triples)
    X = jnp.asarray(to_tensor(train, data.shape))
    filt = known_tensor(data, ("train", "valid"))
    model = RelationalNet(
        data.num_entities,
        data.num_relations,
        channels=tuple(cfg.channels),
        dropout=cfg.dropout,
        pooling=cfg.pooling,
        relations=cfg.relations,
        input_scale=cfg.input_scale,
        rngs=nnx.Rngs(cfg.seed),
    )
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    tx = optax.adamw(cfg.lr, weight_decay=cfg.weight_decay)
    opt_state = tx.init(params)
    # every per-entry tensor in the layers' own layout (no transpose of the relation axis per step)
    Xn = model.to_native(X[None, None])[0]  # (1, E, E, R) or (R, E, E)

    def loss_fn(params, key):
        kmask, kdrop = jax.random.split(key)
        vis, mask = masked_input(kmask, Xn, cfg.hide, cfg.batch)
        logits = nnx.merge(graphdef, params, rest).forward_native(vis[:, 0], key=kdrop)
        target = jnp.broadcast_to(Xn, logits.shape)
        ce = optax.sigmoid_binary_cross_entropy(logits, target)
        w = mask * (1.0 + (cfg.pos_weight - 1.0) * target)
        return jnp.sum(ce * w) / jnp.sum(w)

    def one_step(carry, _):
        params, opt_state, key = carry
        key, k = jax.random.split(key)
        loss, grads = jax.value_and_grad(loss_fn)(params, k)
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state, key), loss

    @partial(jax.jit, static_argnums=3)
    def run(params, opt_state, key, n):
        """n training steps in one compiled loop (no per-step dispatch or host work)."""
        return jax.lax.scan(one_step, (params, opt_state, key), None, length=n)

    @jax.jit
    def scores(params):
        return nnx.merge(graphdef, params, rest)(X[None, None])[0]

    key = jax.random.PRNGKey(cfg.seed)
    best = (-1.0, 0, params, {})
    history, bad, s = [], 0, 0
    while s < cfg.steps:
        n = min(cfg.eval_every - s % cfg.eval_every, cfg.steps - s)
        (params, opt_state, key), losses = run(params, opt_state, key, n)
        s += n
        m = evaluate_scores(np.asarray(scores(params)), data.splits["valid"], filt)
        rec = {"step": s, "loss": float(np.mean(losses)), "valid": m, "seconds": time.perf_counter() - t0}
        history.append(rec)
        if log is not None:
            log(rec)
        if m["mrr"] > best[0]:
            best, bad = (m["mrr"], s, params, m), 0
        else:
            bad += 1
            if bad >= cfg.patience:
                break
        if cfg.time_limit is not None and rec["seconds"] > cfg.time_limit:
            break
    nnx.update(model, best[2])
    return FitResult(model, best[1], best[3], history, time.perf_counter() - t0, s)
