"""Loading relational splits: tiny hand-made files (never skipped) and the shared data sets
(skipped with a reason when ../shared/data/kg is absent; set EQSOLVE_KG_DATA to point elsewhere)."""

import pytest

from eqsolve.relational import (
    DATASETS,
    default_data_root,
    known_tensor,
    load_kg,
    to_tensor,
)


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "train.txt").write_text("b\tlikes\ta\na\tlikes\tc\n")
    (tmp_path / "valid.txt").write_text("c\thates\tb\n")
    (tmp_path / "test.txt").write_text("a\thates\ta\n\n")
    return tmp_path


def test_tiny_ids_shapes_and_tensor(tiny):
    d = load_kg(tiny)
    assert d.entities.tolist() == ["a", "b", "c"]
    assert d.relations.tolist() == ["hates", "likes"]
    assert d.shape == (3, 3, 2)
    assert d.splits["train"].tolist() == [[1, 1, 0], [0, 1, 2]]
    X = to_tensor(d.splits["train"], d.shape)
    assert X.sum() == 2 and X[1, 0, 1] == 1 and X[0, 2, 1] == 1  # X[h, t, r]
    K = known_tensor(d)
    assert K.sum() == 4 and K[2, 1, 0] and K[0, 0, 0]


def test_bad_files_are_named(tmp_path):
    (tmp_path / "train.txt").write_text("a b c\n")
    (tmp_path / "valid.txt").write_text("")
    (tmp_path / "test.txt").write_text("")
    with pytest.raises(ValueError, match="train.txt:1"):
        load_kg(tmp_path)
    with pytest.raises(ValueError, match="no relational data set"):
        load_kg(tmp_path / "missing")


SIZES = {
    "kinships": (104, 25, 8544, 1068, 1074),
    "umls": (135, 46, 5216, 652, 661),
    "nations": (14, 55, 1592, 199, 201),
}


@pytest.mark.parametrize("name", DATASETS)
def test_shared_data_sets_match_provenance(name):
    if not (default_data_root() / name).is_dir():
        pytest.skip(f"{default_data_root() / name} is absent (set EQSOLVE_KG_DATA to the kg folder)")
    d = load_kg(name)
    E, R, ntr, nva, nte = SIZES[name]
    assert (d.num_entities, d.num_relations) == (E, R)
    assert [len(d.splits[s]) for s in ("train", "valid", "test")] == [ntr, nva, nte]
    assert known_tensor(d).sum() == ntr + nva + nte  # no duplicates across splits
