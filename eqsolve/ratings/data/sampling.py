"""Sub-matrix sampling for ratings matrices that do not fit in one pass (Hartford et al. Sec. 4).

* ``sample_uniform``: a random subset of rows and a random subset of columns; the sample is
  every observed entry in their intersection.
* ``sample_conditional``: a random subset of rows, then columns drawn (without replacement)
  with probability proportional to how many entries they have in those rows, so sparse
  matrices still give dense-enough samples.
* ``coverage_blocks``: for prediction, random partitions of rows and columns into blocks;
  every (row block, column block) pair that holds a query is returned, so every query entry
  is predicted once per pass (``passes`` > 1 gives several predictions to average).

All functions take a ``numpy.random.Generator`` (explicit randomness) and return plain
numpy arrays: ``rows`` and ``cols`` (the global ids in the sample, local id = position) and
``entries`` (positions into the ``Ratings`` arrays).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .ratings import Ratings

__all__ = ["SubMatrix", "sample_uniform", "sample_conditional", "entries_in", "coverage_blocks", "localize"]


class SubMatrix(tuple):
    """(rows, cols, entries): global row ids, global column ids, entry positions."""

    __slots__ = ()

    def __new__(cls, rows, cols, entries):
        return super().__new__(cls, (np.asarray(rows), np.asarray(cols), np.asarray(entries)))

    rows = property(lambda self: self[0])
    cols = property(lambda self: self[1])
    entries = property(lambda self: self[2])


def entries_in(r: Ratings, rows, cols) -> np.ndarray:
    """Positions of the entries of ``r`` whose row is in ``rows`` and column in ``cols``."""
    rmask = np.zeros(r.n_users, bool)
    rmask[rows] = True
    cmask = np.zeros(r.n_items, bool)
    cmask[cols] = True
    return np.flatnonzero(rmask[r.users] & cmask[r.items])


def localize(r: Ratings, rows, cols, entries):
    """Local (row, col) ids of ``entries`` inside the sub-matrix ``rows`` x ``cols``."""
    rpos = np.full(r.n_users, -1, np.int64)
    rpos[rows] = np.arange(len(rows))
    cpos = np.full(r.n_items, -1, np.int64)
    cpos[cols] = np.arange(len(cols))
    lu, li = rpos[r.users[entries]], cpos[r.items[entries]]
    if np.any(lu < 0) or np.any(li < 0):
        raise ValueError("localize: some entries lie outside the sub-matrix")
    return lu, li


def sample_uniform(r: Ratings, n_rows: int, n_cols: int, rng: np.random.Generator) -> SubMatrix:
    """Uniformly random ``n_rows`` rows and ``n_cols`` columns (capped at the matrix size)."""
    rows = np.sort(rng.choice(r.n_users, min(n_rows, r.n_users), replace=False))
    cols = np.sort(rng.choice(r.n_items, min(n_cols, r.n_items), replace=False))
    return SubMatrix(rows, cols, entries_in(r, rows, cols))


def sample_conditional(r: Ratings, n_rows: int, n_cols: int, rng: np.random.Generator) -> SubMatrix:
    """Uniform rows, then columns drawn in proportion to their entries within those rows."""
    rows = np.sort(rng.choice(r.n_users, min(n_rows, r.n_users), replace=False))
    rmask = np.zeros(r.n_users, bool)
    rmask[rows] = True
    counts = np.bincount(r.items[rmask[r.users]], minlength=r.n_items).astype(float)
    nz = int(np.count_nonzero(counts))
    k = min(n_cols, r.n_items)
    if nz >= k:
        cols = rng.choice(r.n_items, k, replace=False, p=counts / counts.sum())
    else:  # every column with an entry, topped up with uniform others
        have = np.flatnonzero(counts)
        rest = np.setdiff1d(np.arange(r.n_items), have)
        cols = np.concatenate([have, rng.choice(rest, k - nz, replace=False)])
    cols = np.sort(cols)
    return SubMatrix(rows, cols, entries_in(r, rows, cols))


def coverage_blocks(
    queries: Ratings, n_rows: int, n_cols: int, rng: np.random.Generator, passes: int = 1
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(rows, cols)`` blocks such that each query entry falls in exactly one block per
    pass; blocks with no query are skipped. Over ``passes`` passes every query is covered
    ``passes`` times (with different random partitions)."""
    for _ in range(passes):
        rperm = rng.permutation(queries.n_users)
        cperm = rng.permutation(queries.n_items)
        rblock = np.empty(queries.n_users, np.int64)
        rblock[rperm] = np.arange(queries.n_users) // n_rows
        cblock = np.empty(queries.n_items, np.int64)
        cblock[cperm] = np.arange(queries.n_items) // n_cols
        n_cb = int(cblock.max()) + 1 if queries.n_items else 0
        keys = np.unique(rblock[queries.users] * n_cb + cblock[queries.items])
        for key in keys:
            rb, cb = divmod(int(key), n_cb)
            yield np.sort(rperm[rb * n_rows : (rb + 1) * n_rows]), np.sort(cperm[cb * n_cols : (cb + 1) * n_cols])
