"""Models that travel: rating scales, split labels, cold-start / density training masks, the
factorized model's independence from batching, presets, the time-fitted schedule, baselines."""

import numpy as np
import pytest

from eqsolve.ratings.baselines import bias_baseline, mean_baseline, user_knn_baseline
from eqsolve.ratings.data import Ratings
from eqsolve.ratings.data.movielens import load_ratings, normalize_split
from eqsolve.ratings.data.scale import RatingScale, parse_scale
from eqsolve.ratings.data.synthetic import synthetic_ratings
from eqsolve.ratings.train import TrainConfig, Trainer, rmse
from eqsolve.ratings.train.presets import PRESETS, config_from_preset

LEVELS = (1.0, 2.0, 3.0, 4.0, 5.0)


@pytest.fixture(scope="module")
def small():
    r = synthetic_ratings(n_users=40, n_items=50, rank=2, density=0.2, seed=1)
    return r.by_split("train").random_split(0.15, seed=0)


# --- rating scales -------------------------------------------------------------------------
def test_half_step_scale_bins_to_nearest_level_and_maps_back_linearly():
    s = RatingScale.detect([0.5, 1.0, 2.5, 5.0], LEVELS)
    assert (s.lo, s.hi) == (0.5, 5.0) and not s.identity
    # x -> 1 + (x - 0.5) * 4 / 4.5, then the nearest level (hand-computed)
    raw = np.arange(0.5, 5.01, 0.5)
    np.testing.assert_array_equal(s.to_levels(raw), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    np.testing.assert_allclose(s.from_model([1.0, 3.0, 5.0, 2.0]), [0.5, 2.75, 5.0, 0.5 + 4.5 / 4])
    with pytest.raises(ValueError, match="outside the raw scale"):
        s.to_levels([5.5])


def test_hundred_point_scale_and_explicit_override():
    vals = [3, 20, 50, 77, 96]
    auto = parse_scale(None, vals, LEVELS)
    assert (auto.lo, auto.hi) == (3.0, 96.0)
    s = parse_scale("1:100", vals, LEVELS)
    assert (s.lo, s.hi) == (1.0, 100.0)
    np.testing.assert_array_equal(s.to_levels([1, 13, 38, 62, 88, 100]), [1, 1, 2, 3, 5, 5])
    np.testing.assert_allclose(s.from_model([1, 5, 3]), [1, 100, 50.5])
    assert parse_scale("levels", vals, LEVELS).identity
    # values that all are model levels need no mapping
    assert RatingScale.detect([1, 3, 4], LEVELS).identity
    for bad in ("1-100", "x:5", "5:1"):
        with pytest.raises(ValueError):
            parse_scale(bad, vals, LEVELS)


def test_fitted_map_back_undoes_a_scale_that_does_not_fill_its_range():
    """A 1..100 scale used as 20 r - 10 (10..90): the range map would send level 4 to 75.25;
    the line fitted on the context's (level, raw) pairs is exactly raw = -10 + 20 level."""
    s = RatingScale(LEVELS, 1.0, 100.0)
    raw = np.array([10, 30, 50, 70, 90, 10, 90], float)
    np.testing.assert_array_equal(s.to_levels(raw), [1, 2, 3, 4, 5, 1, 5])  # by hand: 1 + (x-1)*4/99
    assert s.from_model([4.0])[0] == pytest.approx(1 + 3 * 99 / 4)  # the range map: 75.25
    f = s.fit_back(raw)
    assert f.back == pytest.approx((-10.0, 20.0))
    np.testing.assert_allclose(f.from_model([1.0, 3.5, 4.0, 5.0]), [10.0, 60.0, 70.0, 90.0])
    assert "raw = -10 + 20 x level" in f.describe()
    # clipped to the raw scale; a context on one level keeps the range map (and says so)
    g = RatingScale(LEVELS, 1.0, 100.0, back=(-50.0, 40.0))
    np.testing.assert_allclose(g.from_model([1.0, 5.0]), [1.0, 100.0])
    one = s.fit_back([50.0, 51.0, 52.0])
    assert one.back is None and "by the range" in one.describe()
    assert RatingScale(LEVELS).fit_back(raw).identity
    with pytest.raises(ValueError, match="positive slope"):
        RatingScale(LEVELS, 1.0, 100.0, back=(0.0, -1.0))


# --- split labels --------------------------------------------------------------------------
def test_split_words_and_codes_are_normalized_and_unknown_labels_named(tmp_path):
    np.testing.assert_array_equal(
        normalize_split(["0", "1", "2", "TEST", "validation", "train"]),
        ["train", "valid", "test", "test", "valid", "train"],
    )
    with pytest.raises(ValueError) as err:
        normalize_split(["train", "holdout", "3"], "f.tsv")
    msg = str(err.value)
    assert "f.tsv" in msg and "'holdout'" in msg and "'3'" in msg and "0 = train" in msg and "2 = test" in msg
    assert normalize_split([str(1_000_000 + k) for k in range(20)]) is None  # a timestamp column
    f = tmp_path / "codes.tsv"
    f.write_text("u1\ti1\t4\t0\nu1\ti2\t3\t1\nu2\ti1\t5\t2\nu2\ti2\t2\t0\n")
    train, test = load_ratings(f)
    assert len(test) == 1 and test.ratings[0] == 5 and list(train.split) == ["train", "valid", "train"]


# --- cold start and density training ---------------------------------------------------------
def test_training_mask_hides_whole_rows_and_columns_and_varies_the_rate():
    import jax
    import jax.numpy as jnp

    from eqsolve.ratings.train.steps import training_mask

    n_u, n_i = 30, 40
    uu, ii = np.meshgrid(np.arange(n_u), np.arange(n_i), indexing="ij")
    users, items = jnp.asarray(uu.ravel()), jnp.asarray(ii.ravel())
    cfg = TrainConfig(mask_rate=0.0, cold_rate=0.2)
    m = np.asarray(training_mask(jax.random.PRNGKey(0), jax.random.PRNGKey(1), cfg, users, items, (n_u, n_i)))
    m = m.reshape(n_u, n_i)
    rows, cols = m.all(axis=1), m.all(axis=0)
    assert rows.any() and cols.any()
    # with mask_rate 0 an entry is hidden exactly when its row or its column is cold
    np.testing.assert_array_equal(m, np.maximum(rows[:, None], cols[None, :]))
    cfg = TrainConfig(mask_rate=0.1, mask_rate_max=0.9)
    rates = [
        float(np.mean(training_mask(jax.random.PRNGKey(k), jax.random.PRNGKey(100 + k), cfg, users, items, (n_u, n_i))))
        for k in range(12)
    ]
    assert min(rates) > 0.05 and max(rates) < 0.95 and max(rates) - min(rates) > 0.3


# --- factorized model: independent of batching and padding ---------------------------------
def test_factorized_predictions_do_not_depend_on_batching_or_padding(small):
    fit, val = small
    t = Trainer(
        TrainConfig(
            model="factorized",
            ch=8,
            enc_layers=2,
            dec_layers=2,
            factor_dim=4,
            steps=8,
            eval_every=8,
            dropout=0.0,
            lr=3e-2,
        ),
        fit,
        val,
    )
    t.run()
    full = t.predict(fit, val)
    half = len(val) // 2
    parts = np.concatenate(
        [t.predict(fit, val.subset(np.arange(half))), t.predict(fit, val.subset(np.arange(half, len(val))))]
    )
    np.testing.assert_allclose(parts, full, rtol=0, atol=2e-6)  # float32 round-off of ratings ~3
    one = t.predict(fit, val.subset(np.array([3])))
    np.testing.assert_allclose(one, full[3:4], rtol=0, atol=2e-6)


def test_knn_feature_model_predicts_from_the_context_alone(small):
    """With kNN input features (computed from the visible ratings), a query's prediction does
    not depend on which other queries are asked: the features see no hidden entry or padding.
    The features are used: the same weights with the features zeroed predict differently."""
    fit, val = small
    t = Trainer(
        TrainConfig(ch=8, num_layers=3, steps=6, eval_every=6, dropout=0.0, lr=3e-2, knn_features=True), fit, val
    )
    t.run()
    full = t.predict(fit, val)
    half = len(val) // 2
    parts = np.concatenate(
        [t.predict(fit, val.subset(np.arange(half))), t.predict(fit, val.subset(np.arange(half, len(val))))]
    )
    np.testing.assert_allclose(parts, full, rtol=0, atol=2e-6)
    one = t.predict(fit, val.subset(np.array([3])))
    np.testing.assert_allclose(one, full[3:4], rtol=0, atol=2e-6)
    from flax import nnx

    model = nnx.merge(t.graphdef, t.eval_params, t.rest)
    first = model.net.layers[0].weights
    assert first["keep_0_1"][...].shape[0] == len(LEVELS) + 1 + 4  # one-hot, hidden flag, 4 kNN channels
    for w in first.values():
        w[...] = w[...].at[len(LEVELS) + 1 :].set(0.0)
    _, blind, _ = nnx.split(model, nnx.Param, ...)
    assert np.abs(t.predict(fit, val, params=blind) - full).max() > 1e-3


# --- presets ----------------------------------------------------------------------------------
def test_presets_are_defined_once_and_checked():
    from bench_scripts import load_benchmark

    assert load_benchmark("movielens").PRESETS is PRESETS
    cfg = config_from_preset("factorized", steps=7, lr=None)
    assert cfg.model == "factorized" and cfg.steps == 7 and cfg.lr == PRESETS["factorized"]["lr"]
    with pytest.raises(ValueError, match="unknown preset"):
        config_from_preset("nope")
    with pytest.raises(ValueError, match="unknown TrainConfig field"):
        config_from_preset("travel", chanels=3)


# --- time limit: the schedule fits the budget -------------------------------------------------
def test_time_limit_fits_the_learning_rate_schedule(small, monkeypatch):
    import eqsolve.ratings.train.trainer as trainer_mod

    fit, val = small
    clock = iter(np.arange(0.0, 1e6, 0.01))  # a fake clock: every reading is 10 ms later
    monkeypatch.setattr(trainer_mod.time, "perf_counter", lambda: float(next(clock)))
    cfg = TrainConfig(ch=4, num_layers=2, steps=10_000, eval_every=10, lr=1e-2, lr_final_frac=0.1)
    t = Trainer(cfg, fit, val)
    t.run(max_seconds=3.0)
    assert 10 < t.step_count < 1000 and t.step_count == t.horizon  # planned, far below cfg.steps
    assert t.history[-1]["step"] == t.step_count
    # the schedule reached (about) its final value at the planned end instead of being cut high
    assert t.history[-1]["lr"] == pytest.approx(t.lr_at(t.horizon - 1))
    assert t.history[-1]["lr"] < 1.1 * cfg.lr * cfg.lr_final_frac


# --- baselines --------------------------------------------------------------------------------
def test_baselines_on_a_hand_made_matrix():
    # users 0 and 1 agree (centred ratings), user 2 is opposite; predict user 0 on item 2
    r = Ratings([0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 0, 1, 2, 0, 1, 2], [5, 1, 5, 1, 5, 1, 5, 1], 3, 3)
    assert mean_baseline(r)([0], [2])[0] == pytest.approx(3.0)
    knn = user_knn_baseline(r, k=1, shrink=0.0)
    # the nearest neighbour of user 0 among the raters of item 2 is user 1 (similarity 1):
    # m_0 + (r_12 - m_1) = 3 + (5 - 11/3)
    assert knn([0], [2])[0] == pytest.approx(3 + 5 - 11 / 3)
    b = bias_baseline(r)
    assert b([0], [2])[0] == pytest.approx(np.clip(3.0 + 0.0 + (3.0 - 3.0), 1, 5))
    assert rmse([1, 2], [1, 4]) == pytest.approx(np.sqrt(2))


def test_trainer_predicts_on_another_scale(small):
    fit, val = small
    t = Trainer(TrainConfig(ch=4, num_layers=2, steps=1, levels=LEVELS), fit, val)
    times20 = Ratings(fit.users, fit.items, 20 * fit.ratings, fit.n_users, fit.n_items)  # 20..100
    s = RatingScale.detect(times20.ratings, LEVELS)
    assert (s.lo, s.hi) == (20.0, 100.0)
    # binning 20 r -> r is exact and 20..100 maps back as p -> 20 p
    np.testing.assert_allclose(t.predict(times20, val, scale=s), 20 * t.predict(fit, val), rtol=1e-6)
