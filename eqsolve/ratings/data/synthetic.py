"""A small synthetic low-rank ratings matrix: the shipped default data set (no download).

Ratings are ``round(clip(mu + b_u + b_i + <U_u, V_i> + noise, 1, 5))`` at a random subset of
entries, where observation probability also varies by user and item activity (as in real
data). Deterministic in ``seed``.
"""

from __future__ import annotations

import numpy as np

from .ratings import Ratings

__all__ = ["synthetic_ratings"]


def synthetic_ratings(
    n_users: int = 300,
    n_items: int = 400,
    rank: int = 4,
    density: float = 0.08,
    noise: float = 0.4,
    test_fraction: float = 0.2,
    seed: int = 0,
    nonnegative: bool = True,
) -> Ratings:
    """Synthetic integer ratings 1..5 with a ``split`` column ("train"/"test").

    ``nonnegative=True`` (default) draws the latent factors from |N(0, 1)| ("taste for each of
    ``rank`` genres"), centred after the product. With sign-symmetric factors the sign of a
    user's taste is invisible to mean-pooled row/column statistics, so an exchangeable model
    (which has no per-user parameters) can only learn the biases; non-negative factors make
    the interactions learnable, as they are in real ratings.

    Returns a ``Ratings`` of about ``density * n_users * n_items`` entries; every user and
    item has at least one training entry.
    """
    if not 0 < density <= 1:
        raise ValueError(f"density must be in (0, 1], got {density}")
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(n_users, rank)) / np.sqrt(rank)
    V = rng.normal(size=(n_items, rank)) / np.sqrt(rank)
    if nonnegative:
        U, V = np.abs(U), np.abs(V)
    bu = rng.normal(scale=0.4, size=n_users)
    bi = rng.normal(scale=0.5, size=n_items)
    au = rng.lognormal(sigma=0.7, size=n_users)
    ai = rng.lognormal(sigma=0.9, size=n_items)
    p = np.outer(au, ai)
    p *= density * n_users * n_items / p.sum()
    mask = rng.random((n_users, n_items)) < np.minimum(p, 1.0)
    # every user and item observed at least twice (one train entry guaranteed below)
    for u in range(n_users):
        mask[u, rng.choice(n_items, 2, replace=False)] = True
    for i in range(n_items):
        mask[rng.choice(n_users, 2, replace=False), i] = True
    users, items = np.nonzero(mask)
    center, scale = 0.0, 1.2
    if nonnegative:  # centre and rescale to the spread of the signed version (std 1.2/sqrt(rank))
        k = min(len(U), 2000), min(len(V), 2000)
        sample = U[: k[0]] @ V[: k[1]].T
        center = float(sample.mean())
        scale = 1.2 / np.sqrt(rank) / float(sample.std())
    score = 3.6 + bu[users] + bi[items] + scale * (np.sum(U[users] * V[items], axis=1) - center)
    score += rng.normal(scale=noise, size=len(users))
    ratings = np.clip(np.rint(score), 1, 5).astype(np.float32)
    split = np.where(rng.random(len(users)) < test_fraction, "test", "train")
    # keep the first entry of each user and of each item in train
    for ids in (users, items):
        _, first = np.unique(ids, return_index=True)
        split[first] = "train"
    return Ratings(users, items, ratings, n_users, n_items, split=split)
