"""The extrapolation (density shift), cold-start and CLI transfer benchmark scripts end to end on a tiny
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


def test_transfer_cli_script_trains_once_and_evaluates_every_disguised_file(tiny_folder, tmp_path):
    """Through `eqsolve train` / `evaluate`: the evaluate-reported RMSE equals the one recomputed
    from its predictions CSV, its bias baseline equals the one fitted here on the raw context,
    and each file is on its scale (1..100 ratings are mapped, 1..5 ones are not)."""
    bench = load_benchmark("transfer_cli")
    out = tmp_path / "res.json"
    assert bench.main(["--data", str(tiny_folder), "--tiny", "--workdir", str(tmp_path / "w"), "--json", str(out)]) == 0
    rows = {r["file"]: r for r in json.loads(out.read_text())["rows"]}
    assert set(rows) == {"scale-1-5", "half-step", "scale-1-100", "sparse", "sparse-1-100"}
    for r in rows.values():
        assert r["model"] == pytest.approx(r["model_from_csv"], abs=1e-4)
        assert r["bias_reported"] == pytest.approx(r["bias"], rel=1e-6)
        assert r["beats_bias"] == (r["model"] < r["bias"])
    assert rows["scale-1-5"]["scale"] is None and rows["sparse"]["scale"] is None
    assert rows["half-step"]["scale"] == [0.5, 5.0]
    assert rows["scale-1-100"]["scale"][1] <= 100 and rows["scale-1-100"]["model"] > 5  # on the raw scale
    sparse, half = rows["sparse"]["median_context_per_user"], rows["scale-1-5"]["median_context_per_user"]
    assert sparse <= 3 and sparse < half
