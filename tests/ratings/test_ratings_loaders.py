"""Ratings container, MovieLens / triples loaders, bias baseline, synthetic data."""

import os
from pathlib import Path

import numpy as np
import pytest

from eqsolve.ratings.data import (
    Ratings,
    bias_baseline,
    load_movielens_100k,
    load_ratings,
    load_triples,
    remap_ids,
    save_triples,
)
from eqsolve.ratings.data.synthetic import synthetic_ratings


def shared_data() -> Path:
    env = os.environ.get("EQSOLVE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


ML100K = shared_data() / "ml-100k"
needs_ml100k = pytest.mark.skipif(not (ML100K / "u1.base").exists(), reason=f"MovieLens-100K not found at {ML100K}")


def test_remap_ids_roundtrip_and_unknown_id():
    ids, vocab = remap_ids(np.array([30, 10, 20, 10]))
    assert vocab.tolist() == [10, 20, 30] and ids.tolist() == [2, 0, 1, 0]
    ids2, _ = remap_ids(np.array([20, 30]), vocab)
    assert ids2.tolist() == [1, 2]
    with pytest.raises(ValueError, match="40"):
        remap_ids(np.array([40]), vocab)


def test_ratings_validation_subset_and_split():
    r = Ratings([0, 1, 2, 2], [1, 0, 1, 2], [5, 3, 4, 1], 4, 3, split=["train", "test", "train", "train"])
    assert len(r) == 4 and r.shape == (4, 3)
    assert r.levels().tolist() == [1, 3, 4, 5]
    assert len(r.by_split("test")) == 1 and r.by_split("test").users.tolist() == [1]
    a, b = r.random_split(0.5, seed=0)
    assert len(a) + len(b) == 4 and a.shape == b.shape == r.shape
    assert np.isnan(r.dense()[3]).all()  # user 3 has no ratings: allowed
    with pytest.raises(ValueError):
        Ratings([0, 5], [0, 0], [1, 2], 3, 1)
    with pytest.raises(ValueError):
        Ratings([0], [0, 1], [1], 1, 2)


def test_triples_file_with_split_header_string_ids_and_separators(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(
        "user,item,rating,split\n# comment\nalice,m1,4,train\nbob,m1,2,train\nalice,m2,5,test\ncarol,m3,3.5,train\n"
    )
    r = load_triples(f)
    assert len(r) == 4 and r.shape == (3, 3)
    assert r.user_vocab.tolist() == ["alice", "bob", "carol"]
    train, test = load_ratings(f)
    assert len(train) == 3 and len(test) == 1 and test.shape == train.shape
    assert test.user_vocab[test.users[0]] == "alice" and test.ratings[0] == 5
    # roundtrip through the tab-separated writer
    save_triples(r, tmp_path / "out.tsv")
    r2 = load_triples(tmp_path / "out.tsv")
    assert np.array_equal(r2.ratings, r.ratings) and np.array_equal(r2.split, r.split)
    # ::-separated ratings.dat with timestamps (4th column is not a split)
    g = tmp_path / "ratings.dat"
    g.write_text(
        "".join(f"{u}::{i}::{(u * i) % 5 + 1}::{978300000 + 7 * u + i}\n" for u in range(1, 8) for i in range(1, 5))
    )
    tr, te = load_ratings(g)
    assert te is None and len(tr) == 28 and tr.shape == (7, 4)
    with pytest.raises(ValueError, match="rating"):
        (tmp_path / "bad.txt").write_text("1 2 3\n1 2 x\n")
        load_triples(tmp_path / "bad.txt")


@needs_ml100k
def test_movielens_100k_u1_parses_and_bias_baseline_matches_reference():
    train, test = load_movielens_100k(ML100K, 1)
    assert len(train) == 80000 and len(test) == 20000
    assert train.shape == test.shape == (943, 1682)
    assert len(np.unique(train.users)) == 943 and len(np.unique(train.items)) == 1650
    assert train.levels().tolist() == [1, 2, 3, 4, 5]
    assert train.user_vocab[0] == 1 and train.item_vocab[-1] == 1682
    p = bias_baseline(train)(test.users, test.items)
    assert abs(np.sqrt(np.mean((p - test.ratings) ** 2)) - 0.9772) < 5e-4
    mean = np.clip(train.ratings.mean(), 1, 5)
    assert abs(np.sqrt(np.mean((mean - test.ratings) ** 2)) - 1.1537) < 5e-4
    tr2, te2 = load_ratings(ML100K, fold=2)
    assert len(tr2) == 80000 and len(te2) == 20000


@needs_ml100k
def test_movielens_u1_base_alone_has_943_users_1682_items(tmp_path):
    # without u.data the id space comes from base + test
    for name in ("u1.base", "u1.test"):
        (tmp_path / name).write_bytes((ML100K / name).read_bytes())
    train, _ = load_movielens_100k(tmp_path, 1)
    assert (train.n_users, train.n_items) == (943, 1682) and len(train) == 80000
    r = load_triples(ML100K / "u1.base")  # the generic reader handles it too (4th col = timestamp)
    assert len(r) == 80000 and r.n_users == 943 and r.n_items == 1650


def test_synthetic_default_is_deterministic_and_learnable_by_biases():
    a, b = synthetic_ratings(seed=3), synthetic_ratings(seed=3)
    assert np.array_equal(a.ratings, b.ratings) and np.array_equal(a.users, b.users)
    tr, te = a.by_split("train"), a.by_split("test")
    assert set(np.unique(tr.users)) == set(range(a.n_users)) and set(np.unique(tr.items)) == set(range(a.n_items))
    assert set(np.unique(a.ratings)) <= {1, 2, 3, 4, 5}
    bias = np.sqrt(np.mean((bias_baseline(tr)(te.users, te.items) - te.ratings) ** 2))
    mean = np.sqrt(np.mean((tr.ratings.mean() - te.ratings) ** 2))
    assert bias < mean - 0.1
