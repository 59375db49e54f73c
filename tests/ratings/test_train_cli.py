"""`eqsolve train` / `eqsolve evaluate` / `eqsolve demo` on the command line (tiny settings)."""

import json

import numpy as np
import pytest

from eqsolve.cli import build_parser, main
from eqsolve.ratings.data import save_triples
from eqsolve.ratings.data.synthetic import synthetic_ratings

TINY = [
    "--ch",
    "8",
    "--layers",
    "2",
    "--enc-layers",
    "2",
    "--dec-layers",
    "2",
    "--factor-dim",
    "4",
    "--eval-every",
    "3",
    "--checkpoint-every",
    "3",
    "--no-progress",
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    a = synthetic_ratings(n_users=30, n_items=40, density=0.2, seed=1)
    b = synthetic_ratings(n_users=25, n_items=35, density=0.25, seed=2)  # other users and items
    save_triples(a, d / "a.tsv")
    save_triples(b, d / "b.tsv")
    return d


def test_parser_has_train_evaluate_demo():
    p = build_parser()
    for cmd in ("train", "evaluate", "demo"):
        assert p.parse_args([cmd]).func is not None


def test_train_resume_evaluate_inductive(files, tmp_path, capsys):
    work = tmp_path / "run"
    base = ["train", "--data", str(files / "a.tsv"), "--workdir", str(work), "--levels", "1,2,3,4,5"] + TINY
    assert main(base + ["--steps", "3"]) == 0
    assert (work / "checkpoint.npz").exists() and (work / "learning_curve.png").exists()
    m = json.loads((work / "metrics.json").read_text())
    assert m["steps"] == 3 and m["val_rmse"] is not None and m["bias_baseline_val_rmse"] is not None
    # a second call with more steps resumes from step 3
    assert main(base + ["--steps", "6"]) == 0
    err = capsys.readouterr().err
    assert "resuming" in err and "step 3" in err
    assert json.loads((work / "metrics.json").read_text())["steps"] == 6
    out_json = tmp_path / "eval.json"
    assert main(["evaluate", "--workdir", str(work), "--output", str(out_json)]) == 0
    r = json.loads(out_json.read_text())
    assert r["step"] == 6 and np.isfinite(r["test_rmse"]) and r["shape"] == [30, 40]
    # inductive: complete another matrix (different users, items and sizes)
    assert main(["evaluate", "--workdir", str(work), "--data", str(files / "b.tsv"), "--output", str(out_json)]) == 0
    r = json.loads(out_json.read_text())
    assert r["shape"] == [25, 35] and np.isfinite(r["test_rmse"])
    out = capsys.readouterr().out
    assert "test RMSE" in out and "bias baseline" in out


def test_evaluate_without_checkpoint_is_a_clean_error(tmp_path, capsys):
    assert main(["evaluate", "--workdir", str(tmp_path / "none")]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_demo_runs_short(capsys):
    assert main(["demo", "--steps", "4", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "validation RMSE" in out and "bias" in out


def test_side_features_need_a_movielens_folder(files, tmp_path, capsys):
    args = ["train", "--side-features", "--steps", "2", "--no-progress", "--workdir", str(tmp_path / "w")]
    assert main(args) == 2  # synthetic data has no u.user / u.item
    assert "MovieLens-100K folder" in capsys.readouterr().err
    assert main(args + ["--data", str(files / "a.tsv")]) == 2
    assert "MovieLens-100K folder" in capsys.readouterr().err
