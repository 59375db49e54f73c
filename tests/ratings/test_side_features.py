"""MovieLens-100K side features (u.user / u.item) on a small folder written here."""

import numpy as np
import pytest

from eqsolve.ratings.data.movielens import load_movielens_100k, load_movielens_side_features

USERS = ["1|24|M|technician|85711", "2|53|F|other|94043", "3|23|M|writer|32067"]
GENRES = {1: [0, 0, 1] + [0] * 16, 2: [1] + [0] * 17 + [1], 3: [0] * 19}
DATES = {1: "01-Jan-1995", 2: "01-Jan-1985", 3: ""}


def _folder(tmp_path, users=USERS):
    (tmp_path / "u1.base").write_text("1\t1\t5\t0\n2\t2\t3\t0\n3\t3\t4\t0\n")
    (tmp_path / "u1.test").write_text("1\t2\t4\t0\n")
    (tmp_path / "u.user").write_text("\n".join(users) + "\n")
    lines = [f"{k}|Film {k}|{DATES[k]}||http://x|" + "|".join(map(str, GENRES[k])) for k in (1, 2, 3)]
    (tmp_path / "u.item").write_text("\n".join(lines) + "\n", encoding="latin-1")
    return tmp_path


def test_user_and_item_features_follow_the_id_space(tmp_path):
    train, _ = load_movielens_100k(_folder(tmp_path))
    U, item = load_movielens_side_features(tmp_path, train)
    assert U.shape == (3, 2 + 3) and item.shape == (3, 20)  # 3 occupations in this file
    age = np.array([24.0, 53.0, 23.0])
    np.testing.assert_allclose(U[:, 0], (age - age.mean()) / age.std(), rtol=1e-6)
    np.testing.assert_array_equal(U[:, 1], [0, 1, 0])  # gender F
    np.testing.assert_array_equal(U[:, 2:], [[0, 1, 0], [1, 0, 0], [0, 0, 1]])  # other, technician, writer
    np.testing.assert_array_equal(item[:, :19], [GENRES[k] for k in (1, 2, 3)])
    assert item[0, 19] > 0 > item[1, 19] and item[2, 19] == 0  # standardized year, 0 when unknown


def test_missing_user_is_an_error(tmp_path):
    train, _ = load_movielens_100k(_folder(tmp_path, USERS[:2]))
    with pytest.raises(ValueError, match="no user features for id 3"):
        load_movielens_side_features(tmp_path, train)
    (tmp_path / "u.item").unlink()
    with pytest.raises(ValueError, match="u.item"):
        load_movielens_side_features(tmp_path, train)
