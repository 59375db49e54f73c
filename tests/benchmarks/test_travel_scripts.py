"""The extrapolation (density shift) and cold-start benchmark scripts end to end on a tiny
hand-made MovieLens-format folder (--tiny: a tiny model, a few steps; not a measurement)."""

import json

import numpy as np
import pytest

from bench_scripts import load_benchmark


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("ml-tiny")
    pairs = [(u, i) for u in range(1, 41) for i in range(1, 51) if rng.random() < 0.35]
    rows = [f"{u}\t{i}\t{int(rng.integers(1, 6))}\t0" for u, i in pairs]
    cut = int(0.8 * len(rows))
    (folder / "u.data").write_text("\n".join(rows) + "\n")
    (folder / "u1.base").write_text("\n".join(rows[:cut]) + "\n")
    (folder / "u1.test").write_text("\n".join(rows[cut:]) + "\n")
    return folder


def test_extrapolation_script_scores_model_and_baselines_at_every_density(tiny_folder, tmp_path):
    out, png = tmp_path / "res.json", tmp_path / "fig.png"
    assert (
        load_benchmark("extrapolation").main(
            ["--data", str(tiny_folder), "--tiny", "--json", str(out), "--png", str(png)]
        )
        == 0
    )
    res = json.loads(out.read_text())
    assert [r["p"] for r in res["rows"]] == [5, 10, 25, 50, 75, 95]
    for r in res["rows"]:
        assert all(np.isfinite(r[k]) for k in ("model", "bias", "user-knn", "mean"))
        assert r["beats_both"] == (r["model"] < min(r["bias"], r["user-knn"]))
        assert r["n_observed"] + r["n_predicted"] == res["rows"][0]["n_observed"] + res["rows"][0]["n_predicted"]
    assert res["target_met"] == all(r["beats_both"] for r in res["rows"])
    assert [t["step"] for t in res["track"]] == [2, 4]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cold_start_script_hides_every_input_rating_of_the_cold_rows(tiny_folder, tmp_path):
    bench = load_benchmark("cold_start")
    from eqsolve.ratings.data.movielens import load_movielens_100k

    train, test = load_movielens_100k(tiny_folder, 1)
    ctx, q, n = bench.make_cold(train, test, 1, 0.2, seed=0)
    cold = np.unique(q.items)
    assert n == len(cold) == round(0.2 * len(np.unique(test.items)))
    assert not np.isin(ctx.items, cold).any() and len(ctx) == np.sum(~np.isin(train.items, cold))
    out = tmp_path / "res.json"
    assert bench.main(["--data", str(tiny_folder), "--tiny", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert set(rows) == {"all", "items", "users"}
    for r in rows.values():
        assert all(np.isfinite(r[k]) for k in ("model", "bias", "user-knn"))
        assert r["no_worse_than_bias"] == (r["model"] <= r["bias"])
