"""Training loop: exact resume after interruption, atomic checkpoints, learning, sampling, plots."""

import os

import numpy as np
import pytest

from eqsolve.ratings.data import Ratings
from eqsolve.ratings.data.synthetic import synthetic_ratings
from eqsolve.ratings.train import TrainConfig, Trainer, atomic_write_bytes, plot_learning_curve, predict, rmse
from eqsolve.ratings.train.checkpoint import BEST_NAME, CHECKPOINT_NAME


@pytest.fixture(scope="module")
def small():
    r = synthetic_ratings(n_users=40, n_items=50, rank=2, density=0.2, seed=1)
    train = r.by_split("train")
    return train.random_split(0.15, seed=0)


def _leaves(params):
    import jax

    return [np.asarray(x) for x in jax.tree.leaves(params)]


class _Interrupt(Exception):
    pass


@pytest.mark.parametrize("model,ema", [("self-supervised", 0.0), ("factorized", 0.0), ("self-supervised", 0.9)])
def test_resume_after_interruption_is_identical_to_uninterrupted(small, tmp_path, model, ema):
    fit, val = small
    cfg = dict(
        model=model,
        ch=8,
        num_layers=3,
        enc_layers=2,
        dec_layers=2,
        factor_dim=4,
        steps=8,
        eval_every=5,
        checkpoint_every=2,
        dropout=0.3,
        lr=1e-2,
        ema=ema,
    )
    ref = Trainer(TrainConfig(**cfg), fit, val, workdir=tmp_path / "a")
    ref.run()

    def boom(rec):
        if rec["step"] == 5:
            raise _Interrupt  # interrupted after step 5; last checkpoint is step 4

    t1 = Trainer(TrainConfig(**cfg), fit, val, workdir=tmp_path / "b")
    with pytest.raises(_Interrupt):
        t1.run(log=boom)
    t2 = Trainer(TrainConfig(**cfg), fit, val, workdir=tmp_path / "b")
    assert t2.resumed and t2.step_count == 4
    t2.run()
    assert t2.step_count == ref.step_count == 8
    for a, b in zip(_leaves(ref.params), _leaves(t2.params)):
        assert np.array_equal(a, b)
    for a, b in zip(_leaves(ref.opt_state), _leaves(t2.opt_state)):
        assert np.array_equal(a, b)
    assert [h["step"] for h in t2.history] == [h["step"] for h in ref.history] == [5, 8]
    assert [h["val_rmse"] for h in t2.history] == [h["val_rmse"] for h in ref.history]
    # the checkpoint folder holds only the last and the best checkpoints (temp files were moved into place)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted([CHECKPOINT_NAME, BEST_NAME])
    assert t2.best_step == ref.best_step and t2.best_val == ref.best_val
    # a changed architecture is refused instead of silently loading
    with pytest.raises(ValueError):
        Trainer(TrainConfig(**{**cfg, "ch": 16}), fit, val, workdir=tmp_path / "b")


def test_ema_weights_are_the_moving_average_and_are_used_for_prediction(small):
    import jax

    fit, val = small
    cfg = TrainConfig(ch=8, num_layers=3, steps=3, eval_every=100, dropout=0.0, lr=1e-2, ema=0.5)
    t = Trainer(cfg, fit, val)
    seen = [t.params]
    for _ in range(3):
        t.run(steps=t.step_count + 1)
        seen.append(t.params)
    expect = seen[0]
    for p in seen[1:]:
        expect = jax.tree.map(lambda a, b: 0.5 * a + 0.5 * b, expect, p)
    for a, b in zip(_leaves(expect), _leaves(t.eval_params)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not all(np.array_equal(a, b) for a, b in zip(_leaves(t.params), _leaves(t.eval_params)))
    np.testing.assert_array_equal(t.predict(fit, val), t.predict(fit, val, params=t.eval_params))
    assert not np.array_equal(t.predict(fit, val), t.predict(fit, val, params=t.params))


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"old")

    def fail(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_training_beats_global_mean_and_plot(small, tmp_path):
    fit, val = small
    t = Trainer(
        TrainConfig(ch=16, num_layers=3, steps=120, eval_every=40, dropout=0.1, lr=5e-3, count_features=True), fit, val
    )
    t.run()
    first, last = t.history[0]["val_rmse"], t.history[-1]["val_rmse"]
    mean_rmse = rmse(np.full(len(val), fit.ratings.mean()), val.ratings)
    assert last < mean_rmse - 0.05 and last <= first + 1e-6
    png = plot_learning_curve(t.history, tmp_path / "curve.png", baseline=t.bias_rmse())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("sampler", ["uniform", "conditional"])
def test_submatrix_training_and_covering_prediction(small, sampler):
    fit, val = small
    cfg = TrainConfig(
        ch=8, num_layers=2, steps=4, eval_every=4, sampler=sampler, sample_rows=16, sample_cols=20, eval_passes=2
    )
    t = Trainer(cfg, fit, val)
    t.run()
    p = t.predict(fit, val)
    assert p.shape == (len(val),) and np.all(np.isfinite(p)) and p.min() >= 1 and p.max() <= 5
    # predictions do not depend on which other queries are asked (hidden entries do not pool),
    # up to the random coverage blocks: with one block covering everything they are identical
    cfg2 = TrainConfig(**{**cfg.to_dict(), "sample_rows": 1000, "sample_cols": 1000, "eval_passes": 1})
    t.cfg = cfg2
    full = t.predict(fit, val)
    half = t.predict(fit, val.subset(np.arange(len(val) // 2)))
    np.testing.assert_allclose(full[: len(val) // 2], half, rtol=1e-5, atol=1e-5)


def test_inductive_prediction_on_a_different_matrix(small):
    fit, val = small
    t = Trainer(TrainConfig(ch=8, num_layers=2, steps=2, eval_every=2), fit, val)
    t.run()
    other = synthetic_ratings(n_users=17, n_items=23, density=0.3, seed=9)
    ctx, q = other.by_split("train"), other.by_split("test")
    p = t.predict(ctx, q)
    assert p.shape == (len(q),) and np.all(np.isfinite(p))
    with pytest.raises(ValueError, match="levels"):
        t.predict(Ratings([0], [0], [2.5], 1, 1), Ratings([0], [0], [3.0], 1, 1))


def test_time_limit_stops_after_a_validated_checkpoint(small, tmp_path):
    fit, val = small
    t = Trainer(
        TrainConfig(ch=8, num_layers=2, steps=50, eval_every=25, checkpoint_every=25), fit, val, workdir=tmp_path
    )
    t.run(max_seconds=0.0)
    assert t.step_count == 1 and t.history[-1]["step"] == 1 and t.history[-1]["val_rmse"] is not None
    t2 = Trainer(
        TrainConfig(ch=8, num_layers=2, steps=50, eval_every=25, checkpoint_every=25), fit, val, workdir=tmp_path
    )
    assert t2.resumed and t2.step_count == 1


def test_random_and_count_features_are_equivariant_in_distribution(small):
    fit, val = small
    cfg = TrainConfig(ch=8, num_layers=2, steps=2, eval_every=2, random_features=4, eval_samples=3, count_features=True)
    t = Trainer(cfg, fit, val)
    t.run()
    p = t.predict(fit, val)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(t.predict(fit, val), p)  # fixed evaluation draws: deterministic


def test_known_positions_pool_only_when_visible(small):
    fit, val = small
    extra = synthetic_ratings(n_users=40, n_items=50, rank=2, density=0.2, seed=1).by_split("test")
    for visible in (False, True):
        cfg = TrainConfig(ch=8, num_layers=3, steps=2, eval_every=2, positions_visible=visible)
        with_pos = Trainer(cfg, fit, val, positions=extra)
        with_pos.run()
        assert (with_pos.positions is not None) == visible
        p1 = with_pos.predict(fit, val)
        p0 = predict(with_pos.fns, with_pos.params, fit, val, with_pos.values, cfg)
        assert np.all(np.isfinite(p1))
        assert np.allclose(p0, p1) != visible  # extra hidden positions change pools only if visible


def test_side_features_start_at_zero_are_used_and_checked(small):
    import jax

    fit, val = small
    rng = np.random.default_rng(0)
    side = (rng.normal(size=(fit.n_users, 3)), rng.normal(size=(fit.n_items, 2)))
    cfg = dict(ch=8, num_layers=3, steps=4, eval_every=4, dropout=0.0, lr=1e-2)
    plain = Trainer(TrainConfig(**cfg), fit, val)
    with_side = Trainer(TrainConfig(**cfg, side_features=True), fit, val, side=side)
    # the side path starts at zero: the same predictions as the model without side features
    np.testing.assert_allclose(with_side.predict(fit, val), plain.predict(fit, val), rtol=1e-6)
    with_side.run()
    side_leaves = jax.tree.leaves(with_side.params["net"]["side_layer"])
    assert any(np.abs(np.asarray(x)).max() > 0 for x in side_leaves)  # trained
    # the predictions depend on the features, and permuting users together with their
    # features permutes nothing else (equivariance)
    p = with_side.predict(fit, val)
    other = (side[0][::-1].copy(), side[1])
    assert not np.allclose(with_side.predict(fit, val, side=other), p)
    perm = rng.permutation(fit.n_users)
    inv = np.argsort(perm)
    moved = lambda r: Ratings(perm[r.users], r.items, r.ratings, r.n_users, r.n_items)
    q = with_side.predict(moved(fit), moved(val), side=(side[0][inv], side[1]))
    np.testing.assert_allclose(q, p, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="cover"):
        Trainer(TrainConfig(**cfg, side_features=True), fit, val, side=(side[0][:-1], side[1]))
    with pytest.raises(ValueError, match="side"):
        Trainer(TrainConfig(**cfg, side_features=True), fit, val, side=(side[0],))
    with pytest.raises(ValueError, match="side_features"):
        Trainer(TrainConfig(**cfg), fit, val, side=side)  # features given, config says none
    with pytest.raises(ValueError, match="side_features"):
        Trainer(TrainConfig(**cfg, side_features=True), fit, val)
