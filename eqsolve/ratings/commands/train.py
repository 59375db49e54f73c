"""``eqsolve train`` and ``eqsolve evaluate``: exchangeable models on ratings data.

``eqsolve train --data PATH --workdir runs/ml100k`` trains (resuming from
``runs/ml100k/checkpoint.npz`` when present, only on the same data with the same settings; one
run per workdir at a time), validating on a part of the training ratings, and writes
``learning_curve.png``, ``metrics.json`` and ``data.json`` (absolute data path and fingerprint,
so ``evaluate`` works from any directory) there, atomically. Without ``--data`` the shipped
synthetic ratings are used. ``eqsolve evaluate --workdir runs/ml100k [--data OTHER]`` predicts
the test ratings of the training data set, or of another data set (inductive: users and items
never seen in training), from that data set's own training ratings.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ...commands.distributed import add_distributed_arguments
from ...commands.options import float_in, int_at_least, levels_list

__all__ = ["register", "load_data", "add_model_arguments", "config_from_args"]


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


def add_model_arguments(p):
    g = p.add_argument_group("model and training")
    g.add_argument("--model", choices=["self-supervised", "factorized"], default="self-supervised")
    g.add_argument("--ch", type=int_at_least(1), default=64, help="channels per exchangeable layer")
    g.add_argument("--layers", type=int_at_least(1), default=4, help="self-supervised: number of exchangeable layers")
    g.add_argument("--enc-layers", type=int_at_least(1), default=3, help="factorized: encoder layers")
    g.add_argument("--dec-layers", type=int_at_least(1), default=2, help="factorized: decoder layers")
    g.add_argument("--factor-dim", type=int_at_least(1), default=32, help="factorized: size of user/item factors")
    g.add_argument("--dropout", type=float_in(0, 1, hi_open=True), default=0.1, help="whole-channel dropout rate")
    g.add_argument("--mask-rate", type=float_in(0, 1, lo_open=True, hi_open=True), default=0.15, help="fraction of input ratings hidden per step")
    g.add_argument("--positions-visible", action="store_true",
                   help="let hidden/query entries take part in pooling (the paper's code); default off")
    g.add_argument("--lr", type=float_in(0, lo_open=True), default=1e-2)
    g.add_argument("--clip", type=float_in(0), default=1.0, help="global gradient-norm clipping (0 = off)")
    g.add_argument("--lr-final-frac", type=float_in(0, 1), default=0.1, help="cosine decay to lr * this")
    g.add_argument("--weight-decay", type=float_in(0), default=0.0)
    g.add_argument("--mse-weight", type=float_in(0), default=0.0, help="extra squared-error loss weight")
    g.add_argument("--visible-loss-weight", type=float_in(0), default=0.0,
                   help="share of the loss on reconstructing the visible (unmasked) ratings")
    g.add_argument("--side-features", action="store_true",
                   help="MovieLens-100K: user age / gender / occupation and item genres / year as input channels")
    g.add_argument("--count-features", action="store_true", help="log #ratings of user and item as input channels")
    g.add_argument("--random-features", type=int_at_least(0), default=0,
                   help="i.i.d. Gaussian features per user/item (equivariant in distribution)")
    g.add_argument("--eval-samples", type=int_at_least(1), default=1, help="random-feature draws averaged at prediction")
    g.add_argument("--residual", action="store_true", help="skip connections between hidden layers")
    g.add_argument("--norm", action="store_true", help="layer norm of each entry before hidden layers")
    g.add_argument("--steps", type=int_at_least(1), default=1000)
    g.add_argument("--eval-every", type=int_at_least(1), default=100)
    g.add_argument("--checkpoint-every", type=int_at_least(1), default=100)
    g.add_argument("--seed", type=int_at_least(0), default=0)
    g.add_argument("--sampler", choices=["none", "uniform", "conditional"], default="none",
                   help="train on random sub-matrices (for matrices that do not fit)")
    g.add_argument("--sample-rows", type=int_at_least(1), default=512)
    g.add_argument("--sample-cols", type=int_at_least(1), default=512)
    g.add_argument("--eval-passes", type=int_at_least(1), default=1, help="with a sampler: predictions averaged per test entry")
    g.add_argument("--levels", default=None, type=levels_list,
                   help="rating scale as comma-separated values, e.g. 1,2,3,4,5 (default: from the "
                        "training ratings); fix it to apply the model to data with other values")


def config_from_args(args):
    from ..train.config import TrainConfig

    return TrainConfig(
        model=args.model, ch=args.ch, num_layers=args.layers, enc_layers=args.enc_layers,
        dec_layers=args.dec_layers, factor_dim=args.factor_dim, dropout=args.dropout,
        mask_rate=args.mask_rate, positions_visible=args.positions_visible, lr=args.lr,
        lr_final_frac=args.lr_final_frac, weight_decay=args.weight_decay, mse_weight=args.mse_weight,
        clip=args.clip, visible_loss_weight=args.visible_loss_weight, side_features=args.side_features,
        count_features=args.count_features,
        random_features=args.random_features, eval_samples=args.eval_samples, residual=args.residual, norm=args.norm,
        steps=args.steps, eval_every=args.eval_every, checkpoint_every=args.checkpoint_every,
        seed=args.seed, sampler=args.sampler, sample_rows=args.sample_rows,
        sample_cols=args.sample_cols, eval_passes=args.eval_passes,
        levels=tuple(float(x) for x in args.levels.split(",")) if args.levels else (),
    )


MIN_TRAIN_RATINGS = 10


def _describe(data) -> str:
    return str(data) if data is not None else "synthetic"


def _cmd_train(args) -> int:
    from contextlib import nullcontext

    from ...commands.distributed import mesh_from_args
    from ...safeio import atomic_write_json, check_writable_dir
    from ..train.checkpoint import CHECKPOINT_NAME
    from ..train.sharded import writes_files
    from ..train.workdir import WorkdirLock

    workdir = check_writable_dir(args.workdir, "the workdir")  # before any work
    mesh = mesh_from_args(args)  # before anything runs on JAX; joins the other processes, if any
    with WorkdirLock(workdir) if writes_files() else nullcontext():  # several processes: the first one writes
        if writes_files():
            for stale in workdir.glob(".*.tmp"):  # temp files of a run killed mid-write (never a real file)
                stale.unlink()
        return _train_locked(args, workdir, atomic_write_json, CHECKPOINT_NAME, mesh)


def _train_locked(args, workdir, atomic_write_json, checkpoint_name, mesh=None) -> int:
    from ..train.sharded import writes_files
    from ..data.fingerprint import path_fingerprint
    from ..train.plot import plot_learning_curve
    from ..train.trainer import Trainer

    train, _test = load_data(args.data, args.fold, args.seed)
    where = _describe(args.data)
    if len(train) < MIN_TRAIN_RATINGS:
        raise ValueError(f"{where}: only {len(train)} training rating(s); training needs at least "
                         f"{MIN_TRAIN_RATINGS}")
    fit, val = train.random_split(args.val_fraction, seed=args.seed) if args.val_fraction > 0 else (train, None)
    if val is not None and len(val) == 0:
        raise ValueError(f"{where}: --val-fraction {args.val_fraction:g} of {len(train)} training ratings leaves no "
                         f"validation rating; give a larger --val-fraction or --val-fraction 0 (no validation)")
    cfg = config_from_args(args)
    side = load_side_features(args.data, train) if cfg.side_features else None
    trainer = Trainer(cfg, fit, val, workdir=workdir, resume=not args.restart, side=side, mesh=mesh)
    if trainer.resumed:
        print(f"resuming from {workdir / checkpoint_name} at step {trainer.step_count}", file=sys.stderr)
    data_abs = None if args.data is None else str(Path(args.data).expanduser().absolute())
    data_record = {"data": data_abs, "fold": args.fold, "seed": args.seed, "val_fraction": args.val_fraction,
                   "data_fingerprint": None if data_abs is None else path_fingerprint(data_abs),
                   "ratings_fingerprint": trainer.data_fingerprint}
    atomic_write_json(workdir / "data.json", data_record)
    bias = trainer.bias_rmse()
    trainer.run(progress=not args.no_progress, max_seconds=args.time_limit)
    if not writes_files():  # several processes: the first one writes the reports
        return 0
    val_rmse = trainer.history[-1]["val_rmse"] if trainer.history else None
    png = plot_learning_curve(trainer.history, workdir / "learning_curve.png", baseline=bias,
                              title=f"{cfg.model} on {args.data or 'synthetic'}")
    metrics = {
        "data": data_abs or "synthetic", "fold": args.fold, "val_fraction": args.val_fraction,
        "steps": trainer.step_count, "val_rmse": _finite(val_rmse), "bias_baseline_val_rmse": _finite(bias),
        "train_seconds": trainer.elapsed, "config": cfg.to_dict(),
    }
    atomic_write_json(workdir / "metrics.json", metrics)
    vs = "n/a" if val_rmse is None else f"{val_rmse:.4f}"
    bs = "n/a" if bias is None else f"{bias:.4f}"
    print(f"validation RMSE {vs} (user+item bias baseline {bs}) after {trainer.step_count} steps, "
          f"{trainer.elapsed:.1f}s; curve: {png}")
    return 0


def _finite(x):
    return None if x is None or not np.isfinite(x) else float(x)


def _cmd_evaluate(args) -> int:
    from ...safeio import atomic_write_json, check_writable_file
    from ..data.fingerprint import path_fingerprint
    from ..data.ratings import bias_baseline
    from ..train import TrainConfig, Trainer, rmse
    from ..train.checkpoint import CHECKPOINT_NAME, LEGACY_NAME, read_meta

    workdir = Path(args.workdir)
    ck = workdir / CHECKPOINT_NAME
    if not ck.exists():
        if (workdir / LEGACY_NAME).exists():
            raise ValueError(f"{workdir / LEGACY_NAME} is a pickle checkpoint of an earlier eqsolve, which is not "
                             f"loaded (pickles can run code); train again with --restart")
        raise ValueError(f"no checkpoint at {ck}; run `eqsolve train --workdir {workdir}` first")
    output = check_writable_file(args.output, "the metrics") if args.output else None  # before any work
    cfg = TrainConfig.from_dict(read_meta(ck)["config"])
    data = args.data
    fold = args.fold
    seed = cfg.seed
    if data is None and (workdir / "data.json").exists():
        try:
            d = json.loads((workdir / "data.json").read_text())
        except json.JSONDecodeError as err:
            raise ValueError(f"{workdir / 'data.json'} is not valid JSON ({err}); give the data with --data") from None
        data, fold, seed = d["data"], d["fold"] if args.fold is None else args.fold, d["seed"]
        if data is not None:
            if not Path(data).exists():
                raise ValueError(f"the training data {data} (from {workdir / 'data.json'}) no longer exists; give "
                                 f"it with --data")
            if d.get("data_fingerprint") and path_fingerprint(data) != d["data_fingerprint"]:
                raise ValueError(f"the training data {data} changed since training (its fingerprint differs from "
                                 f"{workdir / 'data.json'}); pass --data {data} to evaluate on it as it is now")
    fold = 1 if fold is None else fold
    context, test = load_data(data, fold, seed)
    if test is None or len(test) == 0:
        raise ValueError(f"{data}: no test entries (give a MovieLens folder or a triples file with a 'test' split)")
    if args.eval_passes is not None:
        cfg.eval_passes = args.eval_passes
    if args.sampler is not None:
        cfg.sampler = args.sampler
    side = load_side_features(data, context) if cfg.side_features else None
    trainer = Trainer(cfg, context, None, workdir=workdir, resume=True, side=side, predict_only=True)
    if not trainer.resumed:
        raise ValueError(f"could not load {ck}")
    pred = trainer.predict(context, test)
    score = rmse(pred, test.ratings)
    bias = rmse(bias_baseline(context)(test.users, test.items), test.ratings)
    out = {"data": str(data or "synthetic"), "fold": fold, "test_rmse": _finite(score),
           "bias_baseline_test_rmse": _finite(bias), "n_test": len(test), "n_context": len(context),
           "shape": list(context.shape), "step": trainer.step_count}
    if output is not None:
        atomic_write_json(output, out)
    print(f"test RMSE {score:.4f} (user+item bias baseline {bias:.4f}) on {len(test)} entries of "
          f"{data or 'synthetic'} [{context.n_users}x{context.n_items}], model at step {trainer.step_count}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train an exchangeable ratings model (resumable)",
        description="Train a sparse exchangeable model (Hartford et al. 2018) on ratings data. "
                    "Data: a MovieLens-100K folder (uK.base/uK.test), a ratings.dat, or a file of "
                    "'user item rating [split]' lines; default: synthetic ratings.",
    )
    p.add_argument("--data", default=None, help="ratings folder or file (default: synthetic)")
    p.add_argument("--fold", type=int_at_least(1), default=1, help="MovieLens-100K split u1..u5")
    p.add_argument("--val-fraction", type=float_in(0, 1, hi_open=True), default=0.05, help="validation share of the training ratings")
    p.add_argument("--workdir", default="runs/train", help="checkpoint, plot and metrics folder")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--time-limit", type=float_in(0, lo_open=True), default=None, help="stop training after this many seconds")
    add_model_arguments(p)
    add_distributed_arguments(p)
    p.set_defaults(func=_cmd_train)

    e = subparsers.add_parser(
        "evaluate", help="test RMSE of a trained model, also on another data set (inductive)",
        description="Predict the test ratings of a data set from its training ratings with a trained "
                    "model. With --data another data set, the model completes a matrix of users and "
                    "items it never saw (the layers do not depend on the matrix size).",
    )
    e.add_argument("--workdir", default="runs/train")
    e.add_argument("--data", default=None, help="data set to complete (default: the training one)")
    e.add_argument("--fold", type=int_at_least(1), default=None)
    e.add_argument("--sampler", choices=["none", "uniform", "conditional"], default=None,
                   help="predict by covering sub-matrices (for big matrices)")
    e.add_argument("--eval-passes", type=int_at_least(1), default=None)
    e.add_argument("--output", default=None, help="write the metrics as JSON here")
    e.set_defaults(func=_cmd_evaluate)
