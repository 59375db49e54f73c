"""`eqsolve train` / `eqsolve evaluate` on other rating scales, split labels, presets, the best
checkpoint, ensembles and saved predictions (tiny settings, hand-made files)."""

import csv
import json

import numpy as np
import pytest

from eqsolve.cli import main
from eqsolve.ratings.data import Ratings, bias_baseline, load_ratings, save_triples
from eqsolve.ratings.data.synthetic import synthetic_ratings

TINY = [
    "--ch",
    "8",
    "--layers",
    "2",
    "--eval-every",
    "1",
    "--checkpoint-every",
    "2",
    "--no-progress",
    "--levels",
    "1,2,3,4,5",
]


def _rescaled(r: Ratings, values) -> Ratings:
    return Ratings(r.users, r.items, values, r.n_users, r.n_items, split=r.split)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("scales")
    rng = np.random.default_rng(0)
    save_triples(synthetic_ratings(n_users=30, n_items=40, density=0.2, seed=1), d / "a.tsv")
    b = synthetic_ratings(n_users=25, n_items=35, density=0.25, seed=2)
    half = b.ratings - 0.5 * (rng.random(len(b)) < 0.5)  # 0.5 .. 5 in half steps
    save_triples(_rescaled(b, half), d / "half.tsv")
    hundred = 20 * b.ratings - rng.integers(0, 20, len(b))  # 1 .. 100
    save_triples(_rescaled(b, hundred), d / "hundred.tsv")
    codes = _rescaled(b, b.ratings)
    codes.split = np.where(b.split == "test", "2", np.where(rng.random(len(b)) < 0.1, "1", "0"))
    save_triples(codes, d / "codes.tsv")
    bad = _rescaled(b, b.ratings)
    bad.split = np.where(b.split == "test", "holdout", "train")
    save_triples(bad, d / "bad.tsv")
    return d


@pytest.fixture(scope="module")
def trained(files, tmp_path_factory):
    work = tmp_path_factory.mktemp("run") / "w"
    assert main(["train", "--data", str(files / "a.tsv"), "--workdir", str(work), "--steps", "4"] + TINY) == 0
    return work


def _evaluate(work, tmp_path, *extra):
    out, preds = tmp_path / "eval.json", tmp_path / "pred.csv"
    assert (
        main(["evaluate", "--workdir", str(work), "--output", str(out), "--save-predictions", str(preds), *extra]) == 0
    )
    with open(preds, newline="") as f:
        rows = list(csv.DictReader(f))
    return json.loads(out.read_text()), rows


@pytest.mark.parametrize("name,lo,hi", [("half.tsv", 0.5, 5.0), ("hundred.tsv", None, None)])
def test_other_scales_are_binned_and_scored_on_the_raw_scale(files, trained, tmp_path, name, lo, hi):
    res, rows = _evaluate(trained, tmp_path, "--data", str(files / name))
    context, test = load_ratings(files / name, max_levels=None)  # any number of values: evaluated only
    lo = float(context.ratings.min()) if lo is None else lo
    hi = float(max(context.ratings.max(), test.ratings.max())) if hi is None else hi
    assert res["scale"] == [min(lo, float(test.ratings.min())), hi] and res["levels"] == [1, 2, 3, 4, 5]
    true = np.array([float(r["true"]) for r in rows])
    pred = np.array([float(r["prediction"]) for r in rows])
    np.testing.assert_allclose(np.sort(true), np.sort(test.ratings))  # raw ratings, not levels
    assert pred.min() >= res["scale"][0] - 1e-6 and pred.max() <= res["scale"][1] + 1e-6
    assert res["test_rmse"] == pytest.approx(np.sqrt(np.mean((pred - true) ** 2)), rel=1e-5)
    bias = bias_baseline(context)(test.users, test.items)  # fitted on the raw ratings
    assert res["bias_baseline_test_rmse"] == pytest.approx(np.sqrt(np.mean((bias - test.ratings) ** 2)), rel=1e-6)
    # raw ids in the CSV
    assert {r["user"] for r in rows} <= {str(u) for u in context.user_vocab}


def test_explicit_scale_overrides_detection(files, trained, tmp_path):
    auto, rows_auto = _evaluate(trained, tmp_path, "--data", str(files / "hundred.tsv"))
    fixed, rows_fixed = _evaluate(trained, tmp_path, "--data", str(files / "hundred.tsv"), "--scale", "0:120")
    assert fixed["scale"] == [0.0, 120.0] and auto["scale"] != fixed["scale"]
    assert [r["prediction"] for r in rows_auto] != [r["prediction"] for r in rows_fixed]
    assert main(["evaluate", "--workdir", str(trained), "--data", str(files / "half.tsv"), "--scale", "levels"]) == 2


def test_map_back_fit_and_range_use_the_same_model_predictions(files, trained, tmp_path):
    """Default: the line raw = a + b level fitted on the context (reported); --map-back range:
    the range map. Undoing the range map gives the model's level-scale predictions p, and the
    fitted predictions are a + b p (clipped to the scale)."""
    fit, rows_fit = _evaluate(trained, tmp_path, "--data", str(files / "hundred.tsv"))
    rng_, rows_rng = _evaluate(trained, tmp_path, "--data", str(files / "hundred.tsv"), "--map-back", "range")
    assert rng_["map_back"] == "range" and len(fit["map_back"]) == 2 and fit["scale"] == rng_["scale"]
    context, _ = load_ratings(files / "hundred.tsv", max_levels=None)
    level = np.clip(np.round(1 + (context.ratings - fit["scale"][0]) * 4 / np.ptp(fit["scale"])), 1, 5)
    b, a = np.polyfit(level, context.ratings, 1)  # the fit, recomputed here
    assert fit["map_back"] == pytest.approx([a, b], rel=1e-6)
    lo, hi = fit["scale"]
    p = 1 + (np.array([float(r["prediction"]) for r in rows_rng]) - lo) * 4 / (hi - lo)
    expect = np.clip(a + b * p, lo, hi)
    np.testing.assert_allclose([float(r["prediction"]) for r in rows_fit], expect, rtol=1e-4, atol=1e-3)
    true = np.array([float(r["true"]) for r in rows_fit])
    assert fit["test_rmse"] == pytest.approx(np.sqrt(np.mean((expect - true) ** 2)), rel=1e-4)


def test_split_codes_and_unknown_labels(files, trained, tmp_path, capsys):
    res, rows = _evaluate(trained, tmp_path, "--data", str(files / "codes.tsv"))
    assert res["scale"] is None and len(rows) == res["n_test"] > 0
    assert main(["evaluate", "--workdir", str(trained), "--data", str(files / "bad.tsv")]) == 2
    err = capsys.readouterr().err
    assert "'holdout'" in err and "'train'" in err and "0 = train, 1 = valid, 2 = test" in err


def test_valid_labels_are_the_validation_set(files, tmp_path):
    work = tmp_path / "w"
    assert main(["train", "--data", str(files / "codes.tsv"), "--workdir", str(work), "--steps", "1"] + TINY) == 0
    train, _ = load_ratings(files / "codes.tsv")
    m = json.loads((work / "metrics.json").read_text())
    fit, val = train.by_split("train"), train.by_split("valid")
    expect = np.sqrt(np.mean((bias_baseline(fit)(val.users, val.items) - val.ratings) ** 2))
    assert m["bias_baseline_val_rmse"] == pytest.approx(expect)


def test_best_and_last_checkpoints(trained, tmp_path):
    m = json.loads((trained / "metrics.json").read_text())
    assert (trained / "best.npz").exists() and (trained / "checkpoint.npz").exists()
    best, _ = _evaluate(trained, tmp_path)
    last, _ = _evaluate(trained, tmp_path, "--weights", "last")
    assert best["step"] == m["best_step"] and last["step"] == m["steps"] == 4
    assert m["best_val_rmse"] == min(h for h in [m["best_val_rmse"]] if h is not None)


def test_preset_option_and_ensemble_average(files, tmp_path):
    work = tmp_path / "ens"
    assert (
        main(
            [
                "train",
                "--data",
                str(files / "a.tsv"),
                "--workdir",
                str(work),
                "--steps",
                "2",
                "--preset",
                "factorized",
                "--ensemble",
                "2",
                "--ch",
                "8",
                "--enc-layers",
                "2",
                "--dec-layers",
                "2",
                "--factor-dim",
                "4",
                "--eval-every",
                "1",
                "--no-progress",
            ]
        )
        == 0
    )
    members = json.loads((work / "ensemble.json").read_text())["members"]
    assert members == ["member-0", "member-1"]
    cfgs = [json.loads((work / m / "metrics.json").read_text())["config"] for m in members]
    assert [c["model"] for c in cfgs] == ["factorized"] * 2 and [c["seed"] for c in cfgs] == [0, 1]
    assert cfgs[0]["enc_layers"] == 2 and cfgs[0]["lr"] == 1e-2  # option over preset, preset over default
    ens, rows = _evaluate(work, tmp_path)
    assert ens["members"] == 2
    member_preds = [np.array([float(r["prediction"]) for r in _evaluate(work / m, tmp_path)[1]]) for m in members]
    assert not np.allclose(member_preds[0], member_preds[1])
    np.testing.assert_allclose([float(r["prediction"]) for r in rows], np.mean(member_preds, axis=0), atol=2e-5)
