"""Classical rating-prediction baselines to compare the exchangeable models with.

* ``mean_baseline``: the global mean of the context ratings.
* ``bias_baseline`` (in :mod:`eqsolve.ratings.data.ratings`): ``mu + b_u + b_i``.
* ``user_knn_baseline``: user-based k-nearest neighbours on mean-centred ratings with cosine
  similarity (the classical collaborative-filtering baseline, e.g. Herlocker et al. 1999).

Each takes the context ``Ratings`` and returns ``f(users, items) -> predictions`` (numpy).
Dense (n_users x n_items) arrays: meant for MovieLens-100K-sized matrices.
"""

from __future__ import annotations

import numpy as np

from .data.ratings import Ratings, bias_baseline

__all__ = ["mean_baseline", "bias_baseline", "user_knn_baseline"]


def mean_baseline(context: Ratings):
    """Predict the global mean of ``context`` everywhere."""
    mu = float(context.ratings.mean())
    return lambda users, items: np.full(len(np.asarray(users)), mu)


def user_knn_baseline(context: Ratings, k: int = 40, shrink: float = 10.0):
    """User-kNN: ``r_ui = m_u + sum_v s_uv (r_vi - m_v) / sum_v |s_uv|`` over the ``k`` users ``v``
    most similar to ``u`` among those who rated ``i``.

    ``m_u``: the user's mean rating, shrunk towards the global mean by ``shrink`` pseudo-ratings
    (a user with no rating gets the global mean); ``s_uv``: cosine similarity of the centred
    rating rows, times ``n_uv / (n_uv + shrink)`` (``n_uv`` co-rated items). Where no neighbour
    rated the item, the prediction is ``m_u`` plus the item's mean centred rating (0 if none).
    Predictions are clipped to the range of the context ratings.
    """
    n_u, n_i = context.shape
    mu = float(context.ratings.mean())
    cnt = np.bincount(context.users, minlength=n_u)
    m = (np.bincount(context.users, context.ratings, minlength=n_u) + shrink * mu) / (cnt + shrink)
    R = np.zeros((n_u, n_i))
    M = np.zeros((n_u, n_i))
    R[context.users, context.items] = context.ratings - m[context.users]
    M[context.users, context.items] = 1.0
    norm = np.sqrt((R**2).sum(1))
    S = (R @ R.T) / np.maximum(np.outer(norm, norm), 1e-12)
    co = M @ M.T
    S *= co / (co + shrink)
    np.fill_diagonal(S, 0.0)
    ci = np.bincount(context.items, minlength=n_i)
    item_dev = np.bincount(context.items, R[context.users, context.items], minlength=n_i) / np.maximum(ci, 1)
    lo, hi = float(context.ratings.min()), float(context.ratings.max())

    def predict(users, items):
        users, items = np.asarray(users), np.asarray(items)
        out = m[users] + item_dev[items]
        for i in np.unique(items):
            q = np.flatnonzero(items == i)
            raters = np.flatnonzero(M[:, i])
            if len(raters) == 0:
                continue
            s = S[np.ix_(users[q], raters)]  # (queries, raters)
            if len(raters) > k:
                top = np.argpartition(-s, k - 1, axis=1)[:, :k]
                s = np.take_along_axis(s, top, axis=1)
                dev = R[raters[top], i]
            else:
                dev = np.broadcast_to(R[raters, i], s.shape)
            den = np.abs(s).sum(1)
            ok = den > 1e-12
            out[q[ok]] = m[users[q[ok]]] + (s[ok] * dev[ok]).sum(1) / den[ok]
        return np.clip(out, lo, hi)

    return predict
