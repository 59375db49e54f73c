"""Train an exchangeable ratings model on MovieLens-100K and use it on another rating scale.

    python examples/movielens.py                      # preset "travel", 10 minutes, ../shared/data/ml-100k
    python examples/movielens.py --data PATH --preset self-supervised-plain --time-limit 1800
    python examples/movielens.py --tiny               # seconds (the test suite's setting)

1. Train (self-supervised, Hartford et al. 2018) on u1.base with 5% held out for validation;
   the learning-rate schedule is fitted to ``--time-limit``; the best validation step is kept.
2. Predict u1.test from all of u1.base; compare with the user+item bias and user-kNN baselines.
3. The same test on a 1..100 scale (every rating times 20): the ratings are binned onto the
   model's levels and the predictions mapped back, so the RMSE is exactly 20 times the first.
4. Cold items: hide every input rating of 20% of the test items and predict theirs.

``--tiny`` uses a corner of ML-100K when it is there, else synthetic ratings, and a tiny model.
Exits 1 when a check fails (non-finite predictions, the scale mapping not exact).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eqsolve.ratings.baselines import bias_baseline, user_knn_baseline  # noqa: E402
from eqsolve.ratings.data import Ratings, load_movielens_100k, synthetic_ratings  # noqa: E402
from eqsolve.ratings.data.scale import RatingScale  # noqa: E402
from eqsolve.ratings.train import Trainer, rmse  # noqa: E402
from eqsolve.ratings.train.presets import PRESETS, config_from_preset  # noqa: E402


def load(data: Path, tiny: bool):
    if (data / "u1.base").exists():
        train, test = load_movielens_100k(data, 1)
        if tiny:  # a corner of the matrix
            train = train.subset((train.users < 100) & (train.items < 150))
            test = test.subset((test.users < 100) & (test.items < 150))
        return train, test, f"MovieLens-100K u1 ({data})"
    if not tiny:
        raise SystemExit(f"no MovieLens-100K at {data}: pass --data (or --tiny for synthetic ratings)")
    r = synthetic_ratings(n_users=80, n_items=100, seed=0)
    return r.by_split("train"), r.by_split("test"), "synthetic ratings (no MovieLens-100K found)"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data" / "ml-100k")
    p.add_argument("--preset", choices=list(PRESETS), default="travel")
    p.add_argument("--time-limit", type=float, default=600.0, help="training budget in seconds")
    p.add_argument("--tiny", action="store_true", help="seconds-long run (the test suite's setting)")
    args = p.parse_args(argv)
    train, test, what = load(args.data, args.tiny)
    cfg = config_from_preset(args.preset, **(dict(ch=8, num_layers=2, steps=6, eval_every=3) if args.tiny else {}))
    cfg.levels = (1.0, 2.0, 3.0, 4.0, 5.0)
    fit, val = train.random_split(0.05, seed=0)
    print(f"{what}: {len(train)} training / {len(test)} test ratings; preset {args.preset}")
    trainer = Trainer(cfg, fit, val)
    trainer.run(
        max_seconds=args.time_limit,
        log=lambda r: print(
            f"  step {r['step']:5d}  val RMSE {r['val_rmse']:.4f}  lr {r['lr']:.2g}  {r['elapsed']:.0f}s"
        ),
    )
    params = trainer.best_params
    pred = trainer.predict(train, test, params=params)
    ok = bool(np.all(np.isfinite(pred)))
    score = rmse(pred, test.ratings)
    bias = rmse(bias_baseline(train)(test.users, test.items), test.ratings)
    knn = rmse(user_knn_baseline(train)(test.users, test.items), test.ratings)
    print(
        f"test RMSE {score:.4f} (best validation step {trainer.best_step}) | user+item bias {bias:.4f} | "
        f"user-kNN {knn:.4f}"
    )

    # another scale: the same ratings times 20 (20..100)
    scaled = lambda r: Ratings(r.users, r.items, 20 * r.ratings, r.n_users, r.n_items)  # noqa: E731
    scale = RatingScale.detect(np.r_[20 * train.ratings, 20 * test.ratings], cfg.levels)
    raw_pred = trainer.predict(scaled(train), test, params=params, scale=scale)
    raw = rmse(raw_pred, 20 * test.ratings)
    print(f"on {scale.describe()}: test RMSE {raw:.3f} = 20 x {raw / 20:.4f}")
    ok &= abs(raw - 20 * score) < 1e-3 * max(raw, 1.0)

    # cold items: every input rating of 20% of the test items hidden
    rng = np.random.default_rng(0)
    cold = rng.choice(np.unique(test.items), max(1, len(np.unique(test.items)) // 5), replace=False)
    ctx, q = train.subset(~np.isin(train.items, cold)), test.subset(np.isin(test.items, cold))
    cold_pred = trainer.predict(ctx, q, params=params)
    ok &= bool(np.all(np.isfinite(cold_pred)))
    print(
        f"cold items ({len(cold)} items, {len(q)} test ratings): RMSE {rmse(cold_pred, q.ratings):.4f} | "
        f"user+item bias {rmse(bias_baseline(ctx)(q.users, q.items), q.ratings):.4f}"
    )
    if not ok:
        print("a check failed (non-finite predictions or an inexact scale mapping)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
