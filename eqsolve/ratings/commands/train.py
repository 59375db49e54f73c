"""``eqsolve train`` and ``eqsolve evaluate``: exchangeable models on ratings data.

``eqsolve train --data PATH --workdir runs/ml100k`` trains a named configuration (``--preset``,
default ``travel``; any option overrides one field) within ``--time-limit`` seconds (the
learning-rate schedule is fitted to the budget), resuming from ``runs/ml100k/checkpoint.pkl``
(the last step) when present and keeping ``best.pkl`` (the best validation step) beside it. It
validates on the entries labelled ``valid`` when the data has them, else on a random part of the
training ratings, and writes ``learning_curve.png`` and ``metrics.json``. ``--ensemble K``
trains K members (``member-k`` folders). Without ``--data`` the shipped synthetic ratings are
used.

``eqsolve evaluate --workdir runs/ml100k [--data OTHER]`` predicts the test ratings of the
training data set, or of another data set (inductive: users and items never seen in training),
from that data set's own training ratings, with the best-validation weights (``--weights``),
averaging an ensemble's members. Ratings on another scale are binned onto the model's levels
and the predictions mapped back (``--scale``, auto-detected); RMSE and the user+item bias
baseline are on the raw ratings; ``--save-predictions FILE`` writes them as CSV.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from ..train.checkpoint import CHECKPOINT_NAME

__all__ = ["register", "load_data", "add_model_arguments", "config_from_args", "save_predictions"]

ENSEMBLE_FILE = "ensemble.json"  # lists the member folders of an ensemble trained with --ensemble K


def load_data(path, fold=1, seed: int = 0):
    """(train, test) Ratings from a path (MovieLens folder, triples file) or None=synthetic."""
    from ..data.movielens import load_ratings
    from ..data.synthetic import synthetic_ratings

    if path is None or str(path) == "synthetic":
        r = synthetic_ratings(seed=seed)
        return r.by_split("train"), r.by_split("test")
    return load_ratings(path, fold)


def load_side_features(path, train):
    """(user features, item features) of a MovieLens-100K folder (``u.user``, ``u.item``)."""
    from ..data.movielens import load_movielens_side_features

    if path is None or not Path(path).is_dir():
        raise ValueError(f"--side-features needs a MovieLens-100K folder with u.user and u.item, got {path or 'synthetic'}")
    return load_movielens_side_features(path, train)


# command-line option -> TrainConfig field, for the options that override the preset
_FIELDS = {"model": "model", "ch": "ch", "layers": "num_layers", "enc_layers": "enc_layers",
           "dec_layers": "dec_layers", "factor_dim": "factor_dim", "dropout": "dropout", "mask_rate": "mask_rate",
           "mask_rate_max": "mask_rate_max", "cold_rate": "cold_rate", "positions_visible": "positions_visible",
           "lr": "lr", "lr_final_frac": "lr_final_frac", "weight_decay": "weight_decay", "mse_weight": "mse_weight",
           "clip": "clip", "visible_loss_weight": "visible_loss_weight", "side_features": "side_features",
           "count_features": "count_features", "random_features": "random_features",
           "eval_samples": "eval_samples", "residual": "residual", "norm": "norm", "steps": "steps",
           "eval_every": "eval_every", "checkpoint_every": "checkpoint_every", "seed": "seed", "sampler": "sampler",
           "sample_rows": "sample_rows", "sample_cols": "sample_cols", "eval_passes": "eval_passes"}


def add_model_arguments(p):
    from ..train.presets import DEFAULT_PRESET, PRESETS

    g = p.add_argument_group("model and training (each option overrides the preset's value)")
    g.add_argument("--preset", choices=list(PRESETS), default=DEFAULT_PRESET,
                   help=f"named configuration (default {DEFAULT_PRESET}; see eqsolve.ratings.train.presets)")
    flag = dict(action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--model", choices=["self-supervised", "factorized"], default=None)
    g.add_argument("--ch", type=int, default=None, help="channels per exchangeable layer")
    g.add_argument("--layers", type=int, default=None, help="self-supervised: number of exchangeable layers")
    g.add_argument("--enc-layers", type=int, default=None, help="factorized: encoder layers")
    g.add_argument("--dec-layers", type=int, default=None, help="factorized: decoder layers")
    g.add_argument("--factor-dim", type=int, default=None, help="factorized: size of user/item factors")
    g.add_argument("--dropout", type=float, default=None, help="whole-channel dropout rate")
    g.add_argument("--mask-rate", type=float, default=None, help="fraction of input ratings hidden per step")
    g.add_argument("--mask-rate-max", type=float, default=None,
                   help="above --mask-rate: each step hides a random fraction up to this (sparse inputs)")
    g.add_argument("--cold-rate", type=float, default=None,
                   help="fraction of rows and of columns with every rating hidden per step (cold start)")
    g.add_argument("--positions-visible", **flag,
                   help="let hidden/query entries take part in pooling (the paper's code)")
    g.add_argument("--lr", type=float, default=None)
    g.add_argument("--clip", type=float, default=None, help="global gradient-norm clipping (0 = off)")
    g.add_argument("--lr-final-frac", type=float, default=None, help="cosine decay to lr * this")
    g.add_argument("--weight-decay", type=float, default=None)
    g.add_argument("--mse-weight", type=float, default=None, help="extra squared-error loss weight")
    g.add_argument("--visible-loss-weight", type=float, default=None,
                   help="share of the loss on reconstructing the visible (unmasked) ratings")
    g.add_argument("--side-features", **flag,
                   help="MovieLens-100K: user age / gender / occupation and item genres / year as input channels")
    g.add_argument("--count-features", **flag, help="log #ratings of user and item as input channels")
    g.add_argument("--random-features", type=int, default=None,
                   help="i.i.d. Gaussian features per user/item (equivariant in distribution)")
    g.add_argument("--eval-samples", type=int, default=None, help="random-feature draws averaged at prediction")
    g.add_argument("--residual", **flag, help="skip connections between hidden layers")
    g.add_argument("--norm", **flag, help="layer norm of each entry before hidden layers")
    g.add_argument("--steps", type=int, default=None)
    g.add_argument("--eval-every", type=int, default=None)
    g.add_argument("--checkpoint-every", type=int, default=None)
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--sampler", choices=["none", "uniform", "conditional"], default=None,
                   help="train on random sub-matrices (for matrices that do not fit)")
    g.add_argument("--sample-rows", type=int, default=None)
    g.add_argument("--sample-cols", type=int, default=None)
    g.add_argument("--eval-passes", type=int, default=None, help="with a sampler: predictions averaged per test entry")
    g.add_argument("--levels", default=None,
                   help="rating scale as comma-separated values, e.g. 1,2,3,4,5 (default: from the "
                        "training ratings); fix it to apply the model to data with other values")


def config_from_args(args):
    from ..train.presets import config_from_preset

    overrides = {field: getattr(args, opt) for opt, field in _FIELDS.items()}
    if args.levels:
        overrides["levels"] = tuple(float(x) for x in args.levels.split(","))
    return config_from_preset(args.preset, **overrides)


def _split_validation(train, val_fraction: float, seed: int):
    """(fit, validation): the entries labelled "valid" when the data has them, else a random
    ``val_fraction`` of the training ratings (none when 0)."""
    if train.split is not None and np.any(train.split.astype(str) == "valid"):
        return train.by_split("train"), train.by_split("valid")
    if val_fraction > 0:
        return train.random_split(val_fraction, seed=seed)
    return train, None


def _train_one(args, cfg, fit, val, train, workdir: Path, time_limit):
    from ..train.plot import plot_learning_curve
    from ..train.trainer import Trainer

    side = load_side_features(args.data, train) if cfg.side_features else None
    trainer = Trainer(cfg, fit, val, workdir=workdir, resume=not args.restart, side=side)
    if trainer.resumed:
        print(f"resuming from {workdir / CHECKPOINT_NAME} at step {trainer.step_count}", file=sys.stderr)
    bias = trainer.bias_rmse()
    trainer.run(progress=not args.no_progress, max_seconds=time_limit)
    val_rmse = trainer.history[-1]["val_rmse"] if trainer.history else None
    png = plot_learning_curve(trainer.history, workdir / "learning_curve.png", baseline=bias,
                              title=f"{cfg.model} on {args.data or 'synthetic'}")
    metrics = {
        "data": str(args.data or "synthetic"), "fold": args.fold, "val_fraction": args.val_fraction,
        "preset": args.preset, "steps": trainer.step_count, "planned_steps": trainer.horizon,
        "val_rmse": val_rmse, "best_val_rmse": trainer.best_val, "best_step": trainer.best_step,
        "bias_baseline_val_rmse": bias, "train_seconds": trainer.elapsed, "config": cfg.to_dict(),
    }
    (workdir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (workdir / "data.json").write_text(json.dumps({"data": args.data, "fold": args.fold, "seed": cfg.seed}))
    vs = "n/a" if val_rmse is None else f"{val_rmse:.4f}"
    best = "" if trainer.best_val is None else f", best {trainer.best_val:.4f} at step {trainer.best_step}"
    bs = "n/a" if bias is None else f"{bias:.4f}"
    print(f"validation RMSE {vs}{best} (user+item bias baseline {bs}) after {trainer.step_count} steps, "
          f"{trainer.elapsed:.1f}s; curve: {png}")
    return trainer


def _cmd_train(args) -> int:
    from ..train.prediction import rmse

    if args.ensemble < 1:
        raise ValueError(f"--ensemble must be at least 1, got {args.ensemble}")
    train, _test = load_data(args.data, args.fold, 0 if args.seed is None else args.seed)
    cfg = config_from_args(args)
    fit, val = _split_validation(train, args.val_fraction, cfg.seed)
    workdir = Path(args.workdir)
    k = args.ensemble
    limit = None if args.time_limit is None else args.time_limit / k
    if k == 1:
        _train_one(args, cfg, fit, val, train, workdir, limit)
        return 0
    members, preds = [], []
    for m in range(k):  # members one after the other, seeds seed..seed+K-1, each a share of the time
        name = f"member-{m}"
        member_cfg = dataclasses.replace(cfg, seed=cfg.seed + m)
        print(f"ensemble member {m + 1}/{k} (seed {member_cfg.seed}) in {workdir / name}", file=sys.stderr)
        trainer = _train_one(args, member_cfg, fit, val, train, workdir / name, limit)
        members.append(name)
        if val is not None:
            params = trainer.best_params if trainer.best_params is not None else trainer.eval_params
            preds.append(trainer.predict(fit, val, params=params))
    ens_val = rmse(np.mean(preds, axis=0), val.ratings) if preds else None
    (workdir / ENSEMBLE_FILE).write_text(json.dumps({"members": members}, indent=2))
    (workdir / "data.json").write_text(json.dumps({"data": args.data, "fold": args.fold, "seed": cfg.seed}))
    (workdir / "metrics.json").write_text(json.dumps({"members": members, "ensemble_val_rmse": ens_val}, indent=2))
    print(f"ensemble of {k}: validation RMSE {'n/a' if ens_val is None else f'{ens_val:.4f}'} "
          f"(members' best steps averaged)")
    return 0


def _members(workdir: Path) -> list[Path]:
    """The checkpoint folders of a trained model: the members of an ensemble, or ``workdir``."""
    ens = workdir / ENSEMBLE_FILE
    if ens.exists():
        return [workdir / m for m in json.loads(ens.read_text())["members"]]
    return [workdir]


def _read_config(folder: Path):
    import pickle

    from ..train.config import TrainConfig

    ck = folder / CHECKPOINT_NAME
    if not ck.exists():
        raise ValueError(f"no checkpoint at {ck}; run `eqsolve train --workdir {folder}` first")
    with open(ck, "rb") as f:
        return TrainConfig.from_dict(pickle.load(f)["config"])


def _cmd_evaluate(args) -> int:
    from ..data.movielens import _accepted_labels, describe_split
    from ..data.ratings import bias_baseline
    from ..data.scale import parse_scale
    from ..train.prediction import rmse
    from ..train.trainer import Trainer

    workdir = Path(args.workdir)
    members = _members(workdir)
    cfgs = [_read_config(m) for m in members]
    cfg = cfgs[0]
    data, fold, seed = args.data, args.fold, cfg.seed
    if data is None and (workdir / "data.json").exists():
        d = json.loads((workdir / "data.json").read_text())
        data, fold, seed = d["data"], d["fold"] if args.fold is None else args.fold, d["seed"]
    fold = 1 if fold is None else fold
    context, test = load_data(data, fold, seed)
    if test is None or len(test) == 0:
        raise ValueError(f"{data}: no test entries to evaluate; split labels found: {describe_split(context)}; "
                         f"accepted: {_accepted_labels()} (give a MovieLens folder or a triples file whose "
                         f"4th column marks the test entries)")
    scale = parse_scale(args.scale, np.r_[context.ratings, test.ratings], cfg.levels)
    ctx_levels = scale.ratings_to_levels(context)
    side = load_side_features(data, context) if cfg.side_features else None
    preds, steps = [], []
    for folder, c in zip(members, cfgs):
        if args.eval_passes is not None:
            c.eval_passes = args.eval_passes
        if args.sampler is not None:
            c.sampler = args.sampler
        trainer = Trainer(c, ctx_levels, None, workdir=folder, resume=True, side=side)
        use_best = args.weights == "best" and trainer.best_params is not None
        params = trainer.best_params if use_best else trainer.eval_params
        steps.append(trainer.best_step if use_best else trainer.step_count)
        preds.append(trainer.predict(ctx_levels, test, params=params))
    pred = scale.from_model(np.mean(preds, axis=0))
    score = rmse(pred, test.ratings)
    bias = rmse(bias_baseline(context)(test.users, test.items), test.ratings)  # fitted on the raw ratings
    out = {"data": str(data or "synthetic"), "fold": fold, "test_rmse": score, "bias_baseline_test_rmse": bias,
           "n_test": len(test), "n_context": len(context), "shape": list(context.shape),
           "step": steps[0] if len(steps) == 1 else steps, "members": len(members), "weights": args.weights,
           "scale": None if scale.identity else [scale.lo, scale.hi], "levels": list(scale.levels)}
    if args.output:
        Path(args.output).write_text(json.dumps(out, indent=2))
    if args.save_predictions:
        save_predictions(args.save_predictions, test, pred)
    what = f"ensemble of {len(members)}" if len(members) > 1 else f"model at step {steps[0]} ({args.weights})"
    print(f"test RMSE {score:.4f} (user+item bias baseline {bias:.4f}) on {len(test)} entries of "
          f"{data or 'synthetic'} [{context.n_users}x{context.n_items}], {what}; ratings: {scale.describe()}")
    return 0


def save_predictions(path, test, pred) -> Path:
    """CSV ``user,item,true,prediction`` (raw ids when known; raw rating scale)."""
    import csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    users = test.users if test.user_vocab is None else test.user_vocab[test.users]
    items = test.items if test.item_vocab is None else test.item_vocab[test.items]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["user", "item", "true", "prediction"])
        for u, i, t, p_ in zip(users.tolist(), items.tolist(), test.ratings.tolist(), np.asarray(pred).tolist()):
            w.writerow([u, i, f"{t:g}", f"{p_:.6g}"])
    return path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train an exchangeable ratings model (resumable)",
        description="Train a sparse exchangeable model (Hartford et al. 2018) on ratings data. "
                    "Data: a MovieLens-100K folder (uK.base/uK.test), a ratings.dat, or a file of "
                    "'user item rating [split]' lines; default: synthetic ratings.",
    )
    p.add_argument("--data", default=None, help="ratings folder or file (default: synthetic)")
    p.add_argument("--fold", type=int, default=1, help="MovieLens-100K split u1..u5")
    p.add_argument("--val-fraction", type=float, default=0.05, help="validation share of the training ratings")
    p.add_argument("--workdir", default="runs/train", help="checkpoint, plot and metrics folder")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--time-limit", type=float, default=1800.0,
                   help="training budget in seconds (default 1800), shared by ensemble members; the "
                        "learning-rate schedule is fitted to it (it decays over the steps that fit)")
    p.add_argument("--ensemble", type=int, default=1, metavar="K",
                   help="train K members (seeds seed..seed+K-1, in workdir/member-k) whose predictions "
                        "`evaluate` averages")
    add_model_arguments(p)
    p.set_defaults(func=_cmd_train)

    e = subparsers.add_parser(
        "evaluate", help="test RMSE of a trained model, also on another data set (inductive)",
        description="Predict the test ratings of a data set from its training ratings with a trained "
                    "model. With --data another data set, the model completes a matrix of users and "
                    "items it never saw (the layers do not depend on the matrix size).",
    )
    e.add_argument("--workdir", default="runs/train")
    e.add_argument("--data", default=None, help="data set to complete (default: the training one)")
    e.add_argument("--fold", type=int, default=None)
    e.add_argument("--sampler", choices=["none", "uniform", "conditional"], default=None,
                   help="predict by covering sub-matrices (for big matrices)")
    e.add_argument("--eval-passes", type=int, default=None)
    e.add_argument("--output", default=None, help="write the metrics as JSON here")
    e.add_argument("--scale", default=None, metavar="auto|levels|LO:HI",
                   help="rating scale of the data: 'auto' (default: the model's levels when every rating is "
                        "one, else the data's range), 'levels', or LO:HI, e.g. 0.5:5 or 1:100; ratings are "
                        "binned onto the model's levels and predictions mapped back linearly")
    e.add_argument("--weights", choices=["best", "last"], default="best",
                   help="the best-validation checkpoint (best.pkl; default) or the last one")
    e.add_argument("--save-predictions", default=None, metavar="FILE",
                   help="write CSV user,item,true,prediction (raw ids, raw scale)")
    e.set_defaults(func=_cmd_evaluate)
