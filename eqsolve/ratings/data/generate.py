"""Synthetic ratings at real shapes (ML-10M, Netflix), streamed to disk in chunks.

The matrix is never formed: users are processed in chunks of about ``chunk`` ratings, and
each chunk's entries are drawn, rated and appended to the output files before the next one,
so memory is O(chunk + n_users + n_items), not O(n_ratings) and never O(n_users * n_items).

Model (deterministic in ``seed`` and ``chunk``):

* user degrees: a power law (Pareto tail, exponent ``user_exponent`` of the density), at least
  ``min_degree``, at most half the items, summing exactly to ``n_ratings``;
* item popularity: a power law (``item_exponent``); each user's items are distinct draws with
  probability proportional to popularity (duplicates redrawn), so item degrees follow it;
* rating: ``round(clip(mu + b_u + b_i + <U_u, V_i> + noise))`` on ``levels``, with
  non-negative rank-``rank`` factors (centred and scaled so the interaction term has standard
  deviation ``signal``) and Gaussian noise of standard deviation ``noise``;
* split: each rating is "test" with probability ``test_fraction``.

Output formats a loader reads (``eqsolve.ratings.data.load_ratings(path)``):

* ``"columns"`` (default, for tens of millions of ratings): a folder with ``users.npy``,
  ``items.npy`` (int32), ``ratings.npy`` (float32), ``split.npy`` (int8, 1 = test) and
  ``columns.json`` (shape and generator settings, written last: a folder without it is
  incomplete); :func:`load_columns` reads it (memory-mapped).
* ``"tsv"``: a ``user item rating split`` text file (``load_triples``); slow past ~10^6 ratings.

Command line: ``python -m eqsolve.ratings.data.generate --shape ml-10m --out DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from .ratings import Ratings

__all__ = ["SHAPES", "COLUMNS_META", "generate_ratings", "load_columns", "power_law_degrees"]

#: (n_users, n_items, n_ratings) of the real data sets
SHAPES = {
    "ml-10m": (71_567, 10_677, 10_000_054),
    "netflix": (480_189, 17_770, 100_480_507),
}
COLUMNS_META = "columns.json"
_COLUMNS = {"users": np.int32, "items": np.int32, "ratings": np.float32, "split": np.int8}


def power_law_degrees(
    n: int, total: int, exponent: float, min_degree: int, max_degree: int, rng: np.random.Generator
) -> np.ndarray:
    """(n,) int64 degrees in [min_degree, max_degree] summing to ``total``, with a Pareto tail
    of density exponent ``exponent`` (> 1)."""
    if exponent <= 1:
        raise ValueError(f"power-law exponent must be > 1, got {exponent}")
    if not n * min_degree <= total <= n * max_degree:
        raise ValueError(f"{total} ratings cannot be spread over {n} rows with degrees in [{min_degree}, {max_degree}]")
    w = (1.0 - rng.random(n)) ** (-1.0 / (exponent - 1.0))  # Pareto, x_min = 1
    extra = total - n * min_degree
    cap = max_degree - min_degree
    share = np.zeros(n)
    free = np.ones(n, bool)
    left = float(extra)
    for _ in range(100):  # water-filling: rows at the cap keep it, the rest share what is left
        s = w[free] / w[free].sum() * left
        over = s > cap
        share[free] = np.minimum(s, cap)
        if not over.any():
            break
        idx = np.flatnonzero(free)[over]
        free[idx] = False
        left = extra - share[~free].sum()
    d = np.floor(share).astype(np.int64)
    short = int(extra - d.sum())  # hand out the rounding remainder by largest fractional part
    room = np.flatnonzero(d < cap)
    frac = share[room] - d[room]
    d[room[np.argsort(-frac, kind="stable")[:short]]] += 1
    return d + min_degree


def _popularity(n_items: int, n_users: int, n_ratings: int, exponent: float, rng) -> np.ndarray:
    """Item probabilities with a power-law tail, capped so no item expects more than half the users."""
    p = (1.0 - rng.random(n_items)) ** (-1.0 / (exponent - 1.0))
    p /= p.sum()
    cap = 0.5 * n_users / n_ratings
    if cap * n_items < 1.0:
        raise ValueError(f"{n_ratings} ratings do not fit {n_users} x {n_items} at most half full per item")
    for _ in range(100):
        if p.max() <= cap * (1 + 1e-12):
            break
        hi = p > cap
        p[hi] = cap
        p[~hi] *= (1.0 - cap * hi.sum()) / p[~hi].sum()
    return p


def _distinct_items(deg: np.ndarray, cdf: np.ndarray, n_items: int, rng) -> np.ndarray:
    """Sorted keys ``local_user * n_items + item``: ``deg[u]`` distinct items per user, drawn by
    popularity (inverse CDF), duplicates redrawn."""
    keys = np.zeros(0, np.int64)
    need = deg.copy()
    local = np.arange(len(deg), dtype=np.int64)
    for _ in range(64):
        k = int(need.sum())
        if k == 0:
            return keys
        items = np.minimum(np.searchsorted(cdf, rng.random(k), side="right"), n_items - 1)
        keys = np.union1d(keys, np.repeat(local, need) * n_items + items)
        need = deg - np.bincount(keys // n_items, minlength=len(deg))
    for u in np.flatnonzero(need):  # rare: a heavy user left with unpopular items; draw them uniformly
        have = keys[keys // n_items == u] % n_items
        rest = np.setdiff1d(np.arange(n_items), have)
        keys = np.union1d(keys, u * n_items + rng.choice(rest, int(need[u]), replace=False))
    return keys


def _npy_writer(path: Path, dtype, n: int):
    f = open(path, "wb")
    np.lib.format.write_array_header_2_0(
        f, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": (int(n),)}
    )
    return f


def generate_ratings(
    out,
    shape: str | None = None,
    *,
    n_users: int | None = None,
    n_items: int | None = None,
    n_ratings: int | None = None,
    rank: int = 8,
    signal: float = 0.6,
    noise: float = 0.5,
    user_exponent: float = 2.2,
    item_exponent: float = 1.8,
    min_degree: int | None = None,
    levels=(1.0, 2.0, 3.0, 4.0, 5.0),
    test_fraction: float = 0.1,
    seed: int = 0,
    chunk: int = 2_000_000,
    fmt: str = "columns",
    progress: bool = False,
) -> Path:
    """Write synthetic ratings of ``shape`` (a key of :data:`SHAPES`) or of the given sizes to
    ``out`` (a folder for ``fmt="columns"``, a file for ``"tsv"``); returns ``out``."""
    if shape is not None:
        if shape not in SHAPES:
            raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)} or give the sizes")
        n_users, n_items, n_ratings = SHAPES[shape]
    if None in (n_users, n_items, n_ratings):
        raise ValueError("give shape= or all of n_users, n_items, n_ratings")
    if fmt not in ("columns", "tsv"):
        raise ValueError(f"unknown format {fmt!r}; use 'columns' or 'tsv'")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    n_users, n_items, n_ratings = int(n_users), int(n_items), int(n_ratings)
    mean = n_ratings / n_users
    min_degree = max(1, min(20, int(mean // 2))) if min_degree is None else int(min_degree)
    rng = np.random.default_rng(seed)
    deg = power_law_degrees(n_users, n_ratings, user_exponent, min_degree, max(min_degree, n_items // 2), rng)
    pop = _popularity(n_items, n_users, n_ratings, item_exponent, rng)
    cdf = np.cumsum(pop)
    cdf /= cdf[-1]
    U = np.abs(rng.normal(size=(n_users, rank))).astype(np.float32)
    V = np.abs(rng.normal(size=(n_items, rank))).astype(np.float32)
    bu = rng.normal(scale=0.4, size=n_users).astype(np.float32)
    bi = rng.normal(scale=0.5, size=n_items).astype(np.float32)
    # centre and scale the interaction <U_u, V_i> (mean rank*2/pi, variance rank*(1 - 4/pi^2)) to std `signal`
    center = rank * 2.0 / np.pi
    scale = signal / np.sqrt(rank * (1.0 - 4.0 / np.pi**2))
    levels = np.asarray(sorted(levels), np.float32)
    mu = float(levels.mean()) + 0.3

    out = Path(out)
    if fmt == "columns":
        out.mkdir(parents=True, exist_ok=True)
        (out / COLUMNS_META).unlink(missing_ok=True)
        files = {k: _npy_writer(out / f"{k}.npy", t, n_ratings) for k, t in _COLUMNS.items()}
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        files = {"tsv": open(out, "w", encoding="utf-8")}
    bounds = np.searchsorted(np.cumsum(deg), np.arange(chunk, n_ratings, chunk), side="right")
    starts = np.unique(np.r_[0, bounds, n_users])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_ratings, unit="rating", desc="generate")
    written = 0
    try:
        for u0, u1 in zip(starts[:-1], starts[1:]):
            keys = _distinct_items(deg[u0:u1], cdf, n_items, rng)
            users = (keys // n_items + u0).astype(np.int32)
            items = (keys % n_items).astype(np.int32)
            score = mu + bu[users] + bi[items] + scale * (np.einsum("er,er->e", U[users], V[items]) - center)
            score += rng.normal(scale=noise, size=len(keys)).astype(np.float32)
            idx = np.clip(np.searchsorted((levels[1:] + levels[:-1]) / 2, score), 0, len(levels) - 1)
            ratings = levels[idx]
            split = (rng.random(len(keys)) < test_fraction).astype(np.int8)
            if fmt == "columns":
                for k, a in (("users", users), ("items", items), ("ratings", ratings), ("split", split)):
                    files[k].write(np.ascontiguousarray(a, _COLUMNS[k]).tobytes())
            else:
                lab = np.where(split == 1, "test", "train")
                files["tsv"].write("".join(f"{u}\t{i}\t{r:g}\t{s}\n" for u, i, r, s in zip(users, items, ratings, lab)))
            written += len(keys)
            if bar is not None:
                bar.update(len(keys))
    finally:
        for f in files.values():
            f.close()
        if bar is not None:
            bar.close()
    if written != n_ratings:
        raise RuntimeError(f"wrote {written} ratings, expected {n_ratings}")
    if fmt == "columns":
        meta = {
            "format": "eqsolve ratings columns",
            "version": 1,
            "n_users": n_users,
            "n_items": n_items,
            "n_ratings": n_ratings,
            "columns": {k: np.dtype(t).name for k, t in _COLUMNS.items()},
            "split": {"0": "train", "1": "test"},
            "generator": {
                "shape": shape,
                "rank": rank,
                "signal": signal,
                "noise": noise,
                "user_exponent": user_exponent,
                "item_exponent": item_exponent,
                "min_degree": min_degree,
                "levels": [float(v) for v in levels],
                "test_fraction": test_fraction,
                "seed": seed,
                "chunk": chunk,
            },
        }
        tmp = out / (COLUMNS_META + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2))
        os.replace(tmp, out / COLUMNS_META)
    return out


def load_columns(path) -> tuple[Ratings, Ratings]:
    """(train, test) ``Ratings`` of a columns folder (see the module docstring)."""
    path = Path(path)
    meta_path = path / COLUMNS_META
    if not meta_path.exists():
        raise ValueError(f"{path}: no {COLUMNS_META} (not a ratings columns folder, or its writing did not finish)")
    meta = json.loads(meta_path.read_text())
    cols = {}
    for k, t in _COLUMNS.items():
        a = np.load(path / f"{k}.npy", mmap_mode="r")
        if a.shape != (meta["n_ratings"],) or a.dtype != t:
            raise ValueError(
                f"{path / (k + '.npy')}: expected {meta['n_ratings']} values of {np.dtype(t).name}, "
                f"got {a.shape} {a.dtype}"
            )
        cols[k] = a
    test = np.asarray(cols["split"]) == 1
    shape = meta["n_users"], meta["n_items"]

    def part(mask):  # (no split column: a string per rating would cost more than the ratings)
        return Ratings(cols["users"][mask], cols["items"][mask], cols["ratings"][mask], *shape)

    return part(~test), part(test)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m eqsolve.ratings.data.generate",
        description="Write synthetic ratings at ML-10M / Netflix shape (or given sizes), "
        "streamed in chunks, readable by `eqsolve train --data OUT`.",
    )
    p.add_argument("--shape", choices=sorted(SHAPES), default=None)
    p.add_argument("--users", type=int, default=None)
    p.add_argument("--items", type=int, default=None)
    p.add_argument("--ratings", type=int, default=None)
    p.add_argument("--out", required=True, help="output folder (columns) or file (tsv)")
    p.add_argument("--format", choices=["columns", "tsv"], default="columns")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunk", type=int, default=2_000_000, help="ratings per chunk (memory bound)")
    p.add_argument("--test-fraction", type=float, default=0.1)
    a = p.parse_args(argv)
    out = generate_ratings(
        a.out,
        a.shape,
        n_users=a.users,
        n_items=a.items,
        n_ratings=a.ratings,
        seed=a.seed,
        chunk=a.chunk,
        fmt=a.format,
        test_fraction=a.test_fraction,
        progress=True,
    )
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
