"""benchmarks/relational.py end to end on a tiny hand-made folder: the saved score tensors
have the documented layout and re-scoring them independently gives the printed MRRs."""

import re

import numpy as np
from bench_scripts import load_benchmark

from eqsolve.relational import evaluate_scores, known_tensor, load_kg, synthetic_kg


def test_tiny_run_saves_rescorable_scores(tmp_path, capsys):
    d = synthetic_kg(num_entities=9, seed=1)
    folder = tmp_path / "tinykg"
    folder.mkdir()
    for s in ("train", "valid", "test"):
        lines = [f"{d.entities[h]}\t{d.relations[r]}\t{d.entities[t]}" for h, r, t in d.splits[s]]
        (folder / f"{s}.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "scores.npz"
    mod = load_benchmark("relational")
    assert mod.main(["--dataset", str(folder), "--tiny", "--save-scores", str(out)]) == 0
    text = capsys.readouterr().out
    z = np.load(out)
    data = load_kg(folder)
    assert z["entities"].tolist() == data.entities.tolist()
    assert z["relations"].tolist() == data.relations.tolist()
    for key, model in (("scores", "exchangeable"), ("scores_distmult", "distmult"), ("scores_complex", "complex")):
        S = z[key]
        assert S.shape == data.shape and S.dtype == np.float32
        printed = float(re.search(rf"^{model}\s+([0-9.]+)", text, re.MULTILINE).group(1))
        again = evaluate_scores(S, data.splits["test"], known_tensor(data))["mrr"]
        assert abs(printed - again) < 1e-4


def test_missing_data_exits_zero(tmp_path, capsys):
    mod = load_benchmark("relational")
    assert mod.main(["--dataset", "nations", "--data-root", str(tmp_path)]) == 0
    assert "no data" in capsys.readouterr().out


def test_baseline_scores_match_their_formulas():
    import jax.numpy as jnp

    mod = load_benchmark("relational")
    rng = np.random.default_rng(0)
    p = {"ent": jnp.asarray(rng.normal(size=(3, 4))), "rel": jnp.asarray(rng.normal(size=(2, 4)))}
    e, w = np.asarray(p["ent"]), np.asarray(p["rel"])
    assert np.allclose(mod.distmult(p)[0, 2, 1], np.sum(e[0] * w[1] * e[2]), atol=1e-5)
    ce = e[:, :2] + 1j * e[:, 2:]
    cw = w[:, :2] + 1j * w[:, 2:]
    assert np.allclose(mod.complex_(p)[2, 0, 1], np.real(np.sum(ce[2] * cw[1] * np.conj(ce[0]))), atol=1e-5)
