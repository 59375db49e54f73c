"""Synthetic ratings at scale: exact counts, distinct entries, power-law degrees, loaders read
both formats, and memory bounded by the chunk, not by the number of ratings."""

import tracemalloc

import numpy as np
import pytest

from eqsolve.ratings.data import load_ratings
from eqsolve.ratings.data.generate import SHAPES, generate_ratings, load_columns, power_law_degrees


def _all(tr, te):
    return np.r_[tr.users, te.users], np.r_[tr.items, te.items], np.r_[tr.ratings, te.ratings]


def test_columns_folder_is_a_valid_ratings_matrix(tmp_path):
    n_users, n_items, n = 3000, 500, 60_000
    out = generate_ratings(
        tmp_path / "g", n_users=n_users, n_items=n_items, n_ratings=n, chunk=7_000, seed=3, test_fraction=0.2
    )
    tr, te = load_ratings(out)  # the generic loader recognizes the folder
    assert tr.shape == te.shape == (n_users, n_items)
    u, i, r = _all(tr, te)
    assert len(u) == n
    assert len(np.unique(u.astype(np.int64) * n_items + i)) == n  # no entry twice
    assert set(np.unique(r)) <= {1.0, 2.0, 3.0, 4.0, 5.0} and len(np.unique(r)) == 5
    assert abs(len(te) / n - 0.2) < 0.01
    du = np.bincount(u, minlength=n_users)
    di = np.bincount(i, minlength=n_items)
    assert du.min() >= 10 and du.max() <= n_items // 2
    # heavy tails: the busiest users / items far above the median (a uniform model gives ~1.5x)
    assert du.max() > 4 * np.median(du) and di.max() > 4 * np.median(di)
    # low-rank signal: the rating correlates with the user's and the item's mean rating
    mu_u = np.bincount(u, r, minlength=n_users) / np.maximum(du, 1)
    mu_i = np.bincount(i, r, minlength=n_items) / np.maximum(di, 1)
    assert np.corrcoef(r, mu_u[u] + mu_i[i])[0, 1] > 0.5


def test_same_seed_same_data_and_tsv_format(tmp_path):
    kw = dict(n_users=300, n_items=200, n_ratings=6000, chunk=1000, seed=5)
    a = load_columns(generate_ratings(tmp_path / "a", **kw))
    b = load_ratings(generate_ratings(tmp_path / "b.tsv", fmt="tsv", **kw))
    for x, y in zip(a, b):
        # the text loader renumbers ids by first sorted appearance; compare the entries as sets
        ka = np.sort(np.asarray(x.users, np.int64) * 1000 + x.items)
        kb = np.sort(np.asarray(y.user_vocab[y.users], np.int64) * 1000 + y.item_vocab[y.items])
        assert np.array_equal(ka, kb)
        assert np.isclose(x.ratings.sum(), y.ratings.sum())


def test_memory_is_bounded_by_the_chunk(tmp_path):
    peaks = []
    for n in (50_000, 400_000):
        tracemalloc.start()
        generate_ratings(tmp_path / f"m{n}", n_users=4000, n_items=600, n_ratings=n, chunk=10_000, seed=0)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    full = 400_000 * (4 + 4 + 4 + 1)  # bytes of the four output columns
    assert peaks[1] < 1.5 * peaks[0], peaks  # 8x the ratings, about the same peak
    assert peaks[1] < full / 2, (peaks, full)


def test_degrees_and_errors():
    rng = np.random.default_rng(0)
    d = power_law_degrees(1000, 50_000, 2.2, 5, 400, rng)
    assert d.sum() == 50_000 and d.min() >= 5 and d.max() <= 400
    with pytest.raises(ValueError, match="cannot be spread"):
        power_law_degrees(10, 5, 2.0, 1, 3, rng)
    with pytest.raises(ValueError, match="unknown shape"):
        generate_ratings("x", "ml-20m")
    assert SHAPES["netflix"] == (480_189, 17_770, 100_480_507)
