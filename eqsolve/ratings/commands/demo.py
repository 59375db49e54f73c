"""``eqsolve demo``: a short exchangeable-model training on the shipped synthetic ratings.

Trains the self-supervised (masked) exchangeable model of Hartford et al. (2018) on a small
synthetic low-rank ratings matrix (about a minute on two CPU cores) and prints its validation
RMSE next to the user+item bias baseline. ``--data PATH`` runs the same on real ratings.
"""

from __future__ import annotations

import time

from ...commands.options import int_at_least

__all__ = ["register", "run_demo"]


def run_demo(
    data=None, steps: int = 600, model: str = "self-supervised", seed: int = 0, progress: bool = True, print_fn=print
) -> dict:
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"demo steps must be a positive integer, got {steps!r}")
    from ..data.ratings import bias_baseline
    from ..train import TrainConfig, Trainer, rmse
    from .train import load_data

    train, test = load_data(data, 1, seed)
    fit, val = train.random_split(0.1, seed=seed)
    cfg = TrainConfig(
        model=model,
        ch=64,
        num_layers=4,
        enc_layers=3,
        dec_layers=2,
        factor_dim=32,
        dropout=0.1,
        lr=3e-3,
        steps=steps,
        eval_every=max(steps // 5, 1),
        seed=seed,
    )
    print_fn(
        f"data: {data or 'synthetic'} -- train {len(fit)}, validation {len(val)} ratings, "
        f"{train.n_users} users x {train.n_items} items"
    )
    print_fn(
        f"model: {model}, {cfg.num_layers} exchangeable layers of {cfg.ch} channels "
        f"(4 pooling weights each: entry, row, column, all)"
    )
    t0 = time.perf_counter()
    trainer = Trainer(cfg, fit, val)
    trainer.run(progress=progress)
    dt = time.perf_counter() - t0
    val_rmse = trainer.history[-1]["val_rmse"]
    bias = trainer.bias_rmse()
    mean_rmse = rmse(float(fit.ratings.mean()), val.ratings)
    out = {"val_rmse": val_rmse, "bias_rmse": bias, "mean_rmse": mean_rmse, "seconds": dt}
    if test is not None and len(test):
        out["test_rmse"] = rmse(trainer.predict(train, test), test.ratings)
        out["bias_test_rmse"] = rmse(bias_baseline(train)(test.users, test.items), test.ratings)
    print_fn(
        f"validation RMSE: exchangeable {val_rmse:.4f} | user+item bias {bias:.4f} | global mean {mean_rmse:.4f} "
        f"({steps} steps, {dt:.0f}s)"
    )
    if "test_rmse" in out:
        print_fn(f"test RMSE:       exchangeable {out['test_rmse']:.4f} | user+item bias {out['bias_test_rmse']:.4f}")
    return out


def _cmd_demo(args) -> int:
    run_demo(args.data, args.steps, args.model, args.seed, progress=not args.no_progress)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help="short exchangeable-model training on synthetic ratings", description=__doc__.split("\n\n")[1]
    )
    p.add_argument("--data", default=None, help="ratings folder or file (default: shipped synthetic data)")
    p.add_argument("--steps", type=int_at_least(1), default=600)
    p.add_argument("--model", choices=["self-supervised", "factorized"], default="self-supervised")
    p.add_argument("--seed", type=int_at_least(0), default=0)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=_cmd_demo)
