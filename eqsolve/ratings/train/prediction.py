"""Prediction with a trained exchangeable ratings model, and the helpers it shares with training.

The context (known) ratings are given as input and the query entries as hidden entries
(one-hot zeros + indicator). With ``positions_visible=False`` (default) hidden entries do not
take part in any pooling, so the predictions depend only on the context ratings, never on which
query positions exist; ``True`` follows the paper's code (hidden entries are pooled).
"""

from __future__ import annotations

import numpy as np

from ..data.ratings import Ratings
from ..data.sampling import coverage_blocks, entries_in, localize
from .config import TrainConfig

__all__ = ["predict", "rmse", "default_levels"]


def rmse(pred, target) -> float:
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    return float(np.sqrt(np.mean((pred - target) ** 2)))


def _bucket(n: int) -> int:
    """Pad sizes to a few static shapes (powers of two times 1, 1.25, 1.5, 1.75)."""
    if n <= 1024:
        return 1024
    p = 1 << (n - 1).bit_length() - 1
    for f in (1.25, 1.5, 1.75, 2.0):
        if n <= int(p * f):
            return int(p * f)
    return 2 * p


def default_levels(r: Ratings) -> tuple:
    """Rating levels: every integer from min to max for integer ratings, else the distinct values."""
    v = r.levels()
    if len(v) and np.allclose(v, np.round(v)):
        return tuple(float(x) for x in np.arange(np.round(v.min()), np.round(v.max()) + 1))
    return tuple(float(x) for x in v)


def _levels_of(r: Ratings, values) -> np.ndarray:
    values = np.asarray(values, np.float32)
    lv = np.searchsorted(values, r.ratings)
    lv = np.clip(lv, 0, len(values) - 1)
    if not np.allclose(values[lv], r.ratings):
        raise ValueError(f"ratings contain values outside the rating levels {values.tolist()}")
    return lv.astype(np.int32)


def _extra_hidden(context: Ratings, queries: Ratings, positions: Ratings | None):
    """Known positions that are neither context nor queries: (users, items)."""
    if positions is None or len(positions) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    m = int(max(context.n_items, queries.n_items, positions.n_items))
    key = lambda r: r.users.astype(np.int64) * m + r.items
    keep = ~np.isin(key(positions), np.concatenate([key(context), key(queries)]))
    return positions.users[keep], positions.items[keep]


def _predict_batch(
    fns,
    params,
    context: Ratings,
    queries: Ratings,
    values,
    cfg,
    ctx_idx=None,
    q_idx=None,
    rows=None,
    cols=None,
    positions=None,
    side=None,
):
    """Predict queries (optionally restricted to a sub-matrix rows x cols) from context.

    ``positions``: further known positions (unknown ratings) that take part as hidden entries
    when ``cfg.positions_visible`` (full-matrix prediction only). ``side``: (user features,
    item features) over the whole id space, or None.
    """
    import jax.numpy as jnp

    if rows is None:
        cu, ci, cl = context.users, context.items, _levels_of(context, values)
        qu, qi = queries.users, queries.items
        if cfg.positions_visible and positions is not None:
            eu, ei = _extra_hidden(context, queries, positions)
            qu, qi = np.concatenate([qu, eu]), np.concatenate([qi, ei])
        sizes = (int(max(context.n_users, queries.n_users)), int(max(context.n_items, queries.n_items)))
    else:
        cu, ci = localize(context, rows, cols, ctx_idx)
        cl = _levels_of(context.subset(ctx_idx), values)
        qu, qi = localize(queries, rows, cols, q_idx)
        sizes = (len(rows), len(cols))
    nc, nq = len(cu), len(qu)
    n = nc + nq
    pad = _bucket(n) - n
    cat = lambda a, b, fill=0: np.concatenate([a, b, np.full(pad, fill, a.dtype)])
    batch = {
        "u": jnp.asarray(cat(cu.astype(np.int32), qu.astype(np.int32))),
        "i": jnp.asarray(cat(ci.astype(np.int32), qi.astype(np.int32))),
        "level": jnp.asarray(cat(cl.astype(np.int32), np.zeros(nq, np.int32))),
        "hidden": jnp.asarray(cat(np.zeros(nc, np.float32), np.ones(nq, np.float32), 1.0)),
        "w": jnp.asarray(cat(np.ones(nc, np.float32), np.full(nq, 1.0 if cfg.positions_visible else 0.0, np.float32))),
    }
    if side is not None:
        batch["side"] = (
            _side_rows(side, sizes) if rows is None else (jnp.asarray(side[0][rows]), jnp.asarray(side[1][cols]))
        )
    import jax

    n_draws = max(int(cfg.eval_samples), 1) if cfg.random_features else 1
    out = 0.0
    for d in range(n_draws):
        out = out + np.asarray(fns.pred(params, batch, sizes, jax.random.PRNGKey(1000 + d)))
    out = out / n_draws
    return out[nc : nc + len(queries) if rows is None else nc + nq]


def _side_rows(side, sizes):
    """The side-feature tables as JAX arrays, checked to cover a matrix of ``sizes``."""
    import jax.numpy as jnp

    for a, (feats, n) in enumerate(zip(side, sizes)):
        if feats.shape[0] < n:
            raise ValueError(f"side features cover {feats.shape[0]} {('users', 'items')[a]}, the matrix has {n}")
    return tuple(jnp.asarray(feats[:n]) for feats, n in zip(side, sizes))


def predict(
    fns, params, context: Ratings, queries: Ratings, values, cfg: TrainConfig, seed: int = 0, positions=None, side=None
):
    """Predicted ratings for every entry of ``queries`` given ``context``; clipped to levels.

    ``side``: (user features (n_users, F_u), item features (n_items, F_i)) when the model was
    built with given side features, else None.

    Without a sampler: one pass over the whole matrix. With a sampler: coverage blocks of
    ``sample_rows x sample_cols`` so every query is predicted ``eval_passes`` times; averaged.
    """
    values = np.asarray(values, np.float32)
    if cfg.sampler == "none":
        p = _predict_batch(fns, params, context, queries, values, cfg, positions=positions, side=side)
    else:
        rng = np.random.default_rng(seed)
        total = np.zeros(len(queries))
        count = np.zeros(len(queries))
        for rows, cols in coverage_blocks(queries, cfg.sample_rows, cfg.sample_cols, rng, cfg.eval_passes):
            q_idx = entries_in(queries, rows, cols)
            c_idx = entries_in(context, rows, cols)
            total[q_idx] += _predict_batch(
                fns, params, context, queries, values, cfg, c_idx, q_idx, rows, cols, side=side
            )
            count[q_idx] += 1
        if np.any(count == 0):  # cannot happen: coverage_blocks covers every query
            raise RuntimeError("coverage failed: some query entries were never predicted")
        p = total / count
    return np.clip(p, values.min(), values.max())
