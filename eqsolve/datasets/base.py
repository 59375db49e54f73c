"""The common surface of EMLP's datasets and a seeded train/val/test split."""

from __future__ import annotations

import numpy as np


class Dataset:
    """``X`` (N, d_in) and ``Y`` (N, d_out) float64 arrays with EMLP's attributes
    ``rep_in``, ``rep_out``, ``symmetry`` and ``stats`` (set by subclasses)."""

    X: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def __getitem__(self, i):
        return self.X[i], self.Y[i]


def split(n: int, sizes: dict[str, int], seed: int = 0) -> dict[str, np.ndarray]:
    """Disjoint random index sets of the given sizes out of ``range(n)``.

    ``split(3000, {"train": 1000, "val": 500, "test": 1500}, seed=0)`` -> dict of int arrays.
    A size of -1 (at most one) takes what the others leave."""
    sizes = dict(sizes)
    rest = [k for k, v in sizes.items() if v == -1]
    if len(rest) > 1:
        raise ValueError(f"split: at most one size may be -1, got {sizes}")
    fixed = sum(v for v in sizes.values() if v != -1)
    if any(v < -1 for v in sizes.values()) or fixed > n:
        raise ValueError(f"split: sizes {sizes} do not fit in {n} samples (each >= 0, total <= {n})")
    if rest:
        sizes[rest[0]] = n - fixed
    perm = np.random.default_rng(seed).permutation(n)
    out, i = {}, 0
    for k, v in sizes.items():
        out[k] = perm[i : i + v]
        i += v
    return out
