"""The MovieLens benchmark script end to end on a tiny MovieLens-format folder: ensembles
average their members' predictions, in one process and with one child process per core."""

import json

import numpy as np
import pytest

from bench_scripts import load_benchmark


def _script():
    return load_benchmark("movielens")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("ml-tiny")
    users, items = 30, 40
    pairs = [(u, i) for u in range(1, users + 1) for i in range(1, items + 1) if rng.random() < 0.3]
    rng.shuffle(pairs)
    rows = [f"{u}\t{i}\t{int(rng.integers(1, 6))}\t0" for u, i in pairs]
    cut = int(0.8 * len(rows))
    (folder / "u1.base").write_text("\n".join(rows[:cut]) + "\n")
    (folder / "u1.test").write_text("\n".join(rows[cut:]) + "\n")
    jobs = ["student", "writer", "other"]  # side features (the self-supervised preset uses them)
    (folder / "u.user").write_text(
        "".join(f"{u}|{rng.integers(15, 70)}|{'MF'[u % 2]}|{jobs[u % 3]}|00000\n" for u in range(1, users + 1))
    )
    (folder / "u.item").write_text(
        "".join(
            f"{i}|Film {i}|01-Jan-19{rng.integers(30, 99)}||http://x|"
            + "|".join(str(int(g)) for g in rng.random(19) < 0.2)
            + "\n"
            for i in range(1, items + 1)
        )
    )
    return folder


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


@pytest.mark.parametrize("mode", ["--sequential", None])
def test_ensemble_is_the_average_of_its_members(tiny_folder, tmp_path, mode):
    bench = _script()
    out = tmp_path / "res.json"
    preds = tmp_path / "preds"
    argv = [
        "--data",
        str(tiny_folder),
        "--model",
        "self-supervised",
        "--steps",
        "3",
        "--eval-every",
        "3",
        "--ensemble",
        "2",
        "--no-progress",
        "--json",
        str(out),
        "--save-predictions",
        str(preds),
        "--set",
        "ch=8",
        "--set",
        "num_layers=2",
    ]
    if mode:
        argv.append(mode)
    assert bench.main(argv) == 0
    res = json.loads(out.read_text())["results"][0]
    assert res["members"] == 2 and res["parallel"] is (mode is None)
    assert [m["config"]["seed"] for m in res["member_results"]] == [0, 1]
    from eqsolve.ratings.data.movielens import load_movielens_100k

    _, test = load_movielens_100k(tiny_folder, 1)
    member_preds = [np.load(preds / "self-supervised-u1.npy"), np.load(preds / "self-supervised-m1-u1.npy")]
    assert not np.allclose(member_preds[0], member_preds[1])  # different seeds
    for p, m in zip(member_preds, res["member_results"]):
        assert _rmse(p, test.ratings) == pytest.approx(m["test_rmse"], abs=1e-6)
    assert _rmse(np.mean(member_preds, axis=0), test.ratings) == pytest.approx(res["test_rmse"], abs=1e-6)
