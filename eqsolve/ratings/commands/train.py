"""``eqsolve train`` and ``eqsolve evaluate``: exchangeable models on ratings data.

``eqsolve train --data PATH --workdir runs/ml100k`` trains a named configuration (``--preset``,
default ``travel``; any option overrides one field) within ``--time-limit`` seconds (the
learning-rate schedule is fitted to the budget), resuming from ``runs/ml100k/checkpoint.npz``
(the last step) when present, only on the same data with the same settings (one run per workdir
at a time), and keeping ``best.npz`` (the best validation step) beside it. It validates on the
entries labelled ``valid`` when the data has them, else on a random part of the training
ratings, and writes ``learning_curve.png``, ``metrics.json`` and ``data.json`` (absolute data
path and fingerprint, so ``evaluate`` works from any directory) there, atomically.
``--ensemble K`` trains K members (``member-k`` folders). Without ``--data`` the shipped
synthetic ratings are used.

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

from ...commands.distributed import add_distributed_arguments
from ...commands.options import float_in, int_at_least, levels_list

__all__ = ["register", "load_data", "add_model_arguments", "config_from_args", "save_predictions"]

ENSEMBLE_FILE = "ensemble.json"  # lists the member folders of an ensemble trained with --ensemble K


def load_data(path, fold=1, seed: int = 0, any_scale: bool = False):
    """(train, test) Ratings from a path (MovieLens folder, triples file) or None=synthetic.

    ``any_scale``: accept any number of distinct rating values (data only evaluated, on its own
    scale); else at most ``MAX_LEVELS`` (data to train on)."""
    from ..data.movielens import MAX_LEVELS, load_ratings
    from ..data.synthetic import synthetic_ratings

    if path is None or str(path) == "synthetic":
        r = synthetic_ratings(seed=seed)
        return r.by_split("train"), r.by_split("test")
    return load_ratings(path, fold, max_levels=None if any_scale else MAX_LEVELS)


def load_side_features(path, train):
    """(user features, item features) of a MovieLens-100K folder (``u.user``, ``u.item``)."""
    from ..data.movielens import load_movielens_side_features

    if path is None or not Path(path).is_dir():
        raise ValueError(
            f"--side-features needs a MovieLens-100K folder with u.user and u.item, got {path or 'synthetic'}"
        )
    return load_movielens_side_features(path, train)


# command-line option -> TrainConfig field, for the options that override the preset
_FIELDS = {
    "model": "model",
    "ch": "ch",
    "layers": "num_layers",
    "enc_layers": "enc_layers",
    "dec_layers": "dec_layers",
    "factor_dim": "factor_dim",
    "dropout": "dropout",
    "mask_rate": "mask_rate",
    "mask_rate_max": "mask_rate_max",
    "cold_rate": "cold_rate",
    "positions_visible": "positions_visible",
    "lr": "lr",
    "lr_final_frac": "lr_final_frac",
    "weight_decay": "weight_decay",
    "mse_weight": "mse_weight",
    "clip": "clip",
    "visible_loss_weight": "visible_loss_weight",
    "side_features": "side_features",
    "count_features": "count_features",
    "knn_features": "knn_features",
    "random_features": "random_features",
    "eval_samples": "eval_samples",
    "residual": "residual",
    "norm": "norm",
    "steps": "steps",
    "eval_every": "eval_every",
    "checkpoint_every": "checkpoint_every",
    "seed": "seed",
    "sampler": "sampler",
    "sample_rows": "sample_rows",
    "sample_cols": "sample_cols",
    "eval_passes": "eval_passes",
}


def add_model_arguments(p):
    from ..train.presets import DEFAULT_PRESET, PRESETS

    g = p.add_argument_group("model and training (each option overrides the preset's value)")
    g.add_argument(
        "--preset",
        choices=list(PRESETS),
        default=DEFAULT_PRESET,
        help=f"named configuration (default {DEFAULT_PRESET}; see eqsolve.ratings.train.presets)",
    )
    flag = dict(action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--model", choices=["self-supervised", "factorized"], default=None)
    g.add_argument("--ch", type=int_at_least(1), default=None, help="channels per exchangeable layer")
    g.add_argument(
        "--layers", type=int_at_least(1), default=None, help="self-supervised: number of exchangeable layers"
    )
    g.add_argument("--enc-layers", type=int_at_least(1), default=None, help="factorized: encoder layers")
    g.add_argument("--dec-layers", type=int_at_least(1), default=None, help="factorized: decoder layers")
    g.add_argument("--factor-dim", type=int_at_least(1), default=None, help="factorized: size of user/item factors")
    g.add_argument("--dropout", type=float_in(0, 1, hi_open=True), default=None, help="whole-channel dropout rate")
    g.add_argument(
        "--mask-rate",
        type=float_in(0, 1, lo_open=True, hi_open=True),
        default=None,
        help="fraction of input ratings hidden per step",
    )
    g.add_argument(
        "--mask-rate-max",
        type=float_in(0, 1, hi_open=True),
        default=None,
        help="above --mask-rate: each step hides a random fraction up to this (sparse inputs)",
    )
    g.add_argument(
        "--cold-rate",
        type=float_in(0, 1, hi_open=True),
        default=None,
        help="fraction of rows and of columns with every rating hidden per step (cold start)",
    )
    g.add_argument(
        "--positions-visible", **flag, help="let hidden/query entries take part in pooling (the paper's code)"
    )
    g.add_argument("--lr", type=float_in(0, lo_open=True), default=None)
    g.add_argument("--clip", type=float_in(0), default=None, help="global gradient-norm clipping (0 = off)")
    g.add_argument("--lr-final-frac", type=float_in(0, 1), default=None, help="cosine decay to lr * this")
    g.add_argument("--weight-decay", type=float_in(0), default=None)
    g.add_argument("--mse-weight", type=float_in(0), default=None, help="extra squared-error loss weight")
    g.add_argument(
        "--visible-loss-weight",
        type=float_in(0),
        default=None,
        help="share of the loss on reconstructing the visible (unmasked) ratings",
    )
    g.add_argument(
        "--side-features",
        **flag,
        help="MovieLens-100K: user age / gender / occupation and item genres / year as input channels",
    )
    g.add_argument("--count-features", **flag, help="log #ratings of user and item as input channels")
    g.add_argument(
        "--knn-features",
        **flag,
        help="user- and item-kNN estimates from the visible ratings as input channels (dense N x M)",
    )
    g.add_argument(
        "--random-features",
        type=int_at_least(0),
        default=None,
        help="i.i.d. Gaussian features per user/item (equivariant in distribution)",
    )
    g.add_argument(
        "--eval-samples", type=int_at_least(1), default=None, help="random-feature draws averaged at prediction"
    )
    g.add_argument("--residual", **flag, help="skip connections between hidden layers")
    g.add_argument("--norm", **flag, help="layer norm of each entry before hidden layers")
    g.add_argument("--steps", type=int_at_least(1), default=None)
    g.add_argument("--eval-every", type=int_at_least(1), default=None)
    g.add_argument("--checkpoint-every", type=int_at_least(1), default=None)
    g.add_argument("--seed", type=int_at_least(0), default=None)
    g.add_argument(
        "--sampler",
        choices=["none", "uniform", "conditional"],
        default=None,
        help="train on random sub-matrices (for matrices that do not fit)",
    )
    g.add_argument("--sample-rows", type=int_at_least(1), default=None)
    g.add_argument("--sample-cols", type=int_at_least(1), default=None)
    g.add_argument(
        "--eval-passes", type=int_at_least(1), default=None, help="with a sampler: predictions averaged per test entry"
    )
    g.add_argument(
        "--levels",
        default=None,
        type=levels_list,
        help="rating scale as comma-separated values, e.g. 1,2,3,4,5 (default: from the "
        "training ratings); fix it to apply the model to data with other values",
    )


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


MIN_TRAIN_RATINGS = 10


def _describe(data) -> str:
    return str(data) if data is not None else "synthetic"


def _cmd_train(args) -> int:
    from contextlib import nullcontext

    from ...commands.distributed import mesh_from_args
    from ...safeio import atomic_write_json, check_writable_dir
    from ..train.sharded import writes_files
    from ..train.workdir import WorkdirLock

    workdir = check_writable_dir(args.workdir, "the workdir")  # before any work
    mesh = mesh_from_args(args)  # before anything runs on JAX; joins the other processes, if any
    with WorkdirLock(workdir) if writes_files() else nullcontext():  # several processes: the first one writes
        if writes_files():
            for stale in workdir.glob(".*.tmp"):  # temp files of a run killed mid-write (never a real file)
                stale.unlink()
        return _train_locked(args, workdir, atomic_write_json, mesh)


def _train_locked(args, workdir, atomic_write_json, mesh=None) -> int:
    from ..train.prediction import rmse
    from ..train.sharded import writes_files

    cfg = config_from_args(args)
    train, _test = load_data(args.data, args.fold, cfg.seed)
    where = _describe(args.data)
    if len(train) < MIN_TRAIN_RATINGS:
        raise ValueError(f"{where}: only {len(train)} training rating(s); training needs at least {MIN_TRAIN_RATINGS}")
    fit, val = _split_validation(train, args.val_fraction, cfg.seed)
    if val is not None and len(val) == 0:
        raise ValueError(
            f"{where}: --val-fraction {args.val_fraction:g} of {len(train)} training ratings leaves no "
            f"validation rating; give a larger --val-fraction or --val-fraction 0 (no validation)"
        )
    k = args.ensemble
    limit = None if args.time_limit is None else args.time_limit / k
    if k == 1:
        _train_one(args, cfg, fit, val, train, workdir, limit, atomic_write_json, mesh)
        return 0
    members, preds = [], []
    for m in range(k):  # members one after the other, seeds seed..seed+K-1, each a share of the time
        name = f"member-{m}"
        member_cfg = dataclasses.replace(cfg, seed=cfg.seed + m)
        print(f"ensemble member {m + 1}/{k} (seed {member_cfg.seed}) in {workdir / name}", file=sys.stderr)
        trainer = _train_one(args, member_cfg, fit, val, train, workdir / name, limit, atomic_write_json, mesh)
        members.append(name)
        if val is not None:
            params = trainer.best_params if trainer.best_params is not None else trainer.eval_params
            preds.append(trainer.predict(fit, val, params=params))
    ens_val = rmse(np.mean(preds, axis=0), val.ratings) if preds else None
    if not writes_files():  # several processes: the first one writes the reports
        return 0
    atomic_write_json(workdir / ENSEMBLE_FILE, {"members": members})
    atomic_write_json(workdir / "data.json", _data_record(args, cfg, None))
    atomic_write_json(workdir / "metrics.json", {"members": members, "ensemble_val_rmse": _finite(ens_val)})
    print(
        f"ensemble of {k}: validation RMSE {'n/a' if ens_val is None else f'{ens_val:.4f}'} "
        f"(members' best steps averaged)"
    )
    return 0


def _data_record(args, cfg, trainer):
    from ..data.fingerprint import path_fingerprint

    data_abs = None if args.data is None else str(Path(args.data).expanduser().absolute())
    return {
        "data": data_abs,
        "fold": args.fold,
        "seed": cfg.seed,
        "val_fraction": args.val_fraction,
        "data_fingerprint": None if data_abs is None else path_fingerprint(data_abs),
        "ratings_fingerprint": None if trainer is None else trainer.data_fingerprint,
    }


def _train_one(args, cfg, fit, val, train, workdir: Path, time_limit, atomic_write_json, mesh=None):
    from ..train.checkpoint import CHECKPOINT_NAME
    from ..train.plot import plot_learning_curve
    from ..train.sharded import writes_files
    from ..train.trainer import Trainer

    side = load_side_features(args.data, train) if cfg.side_features else None
    trainer = Trainer(cfg, fit, val, workdir=workdir, resume=not args.restart, side=side, mesh=mesh)
    if trainer.resumed:
        print(f"resuming from {workdir / CHECKPOINT_NAME} at step {trainer.step_count}", file=sys.stderr)
    record = _data_record(args, cfg, trainer)
    if writes_files():
        workdir.mkdir(parents=True, exist_ok=True)
        atomic_write_json(workdir / "data.json", record)
    bias = trainer.bias_rmse()
    trainer.run(progress=not args.no_progress, max_seconds=time_limit)
    if not writes_files():  # several processes: the first one writes the reports
        return trainer
    val_rmse = trainer.history[-1]["val_rmse"] if trainer.history else None
    png = plot_learning_curve(
        trainer.history,
        workdir / "learning_curve.png",
        baseline=bias,
        title=f"{cfg.model} on {args.data or 'synthetic'}",
    )
    metrics = {
        "data": record["data"] or "synthetic",
        "fold": args.fold,
        "val_fraction": args.val_fraction,
        "preset": args.preset,
        "steps": trainer.step_count,
        "planned_steps": trainer.horizon,
        "val_rmse": _finite(val_rmse),
        "best_val_rmse": _finite(trainer.best_val),
        "best_step": trainer.best_step,
        "bias_baseline_val_rmse": _finite(bias),
        "train_seconds": trainer.elapsed,
        "config": cfg.to_dict(),
    }
    atomic_write_json(workdir / "metrics.json", metrics)
    vs = "n/a" if val_rmse is None else f"{val_rmse:.4f}"
    best = "" if trainer.best_val is None else f", best {trainer.best_val:.4f} at step {trainer.best_step}"
    bs = "n/a" if bias is None else f"{bias:.4f}"
    print(
        f"validation RMSE {vs}{best} (user+item bias baseline {bs}) after {trainer.step_count} steps, "
        f"{trainer.elapsed:.1f}s; curve: {png}"
    )
    return trainer


def _finite(x):
    return None if x is None or not np.isfinite(x) else float(x)


def _members(workdir: Path) -> list[Path]:
    """The checkpoint folders of a trained model: the members of an ensemble, or ``workdir``."""
    ens = workdir / ENSEMBLE_FILE
    if ens.exists():
        return [workdir / m for m in json.loads(ens.read_text())["members"]]
    return [workdir]


def _read_config(folder: Path):
    from ..train import TrainConfig
    from ..train.checkpoint import CHECKPOINT_NAME, LEGACY_NAME, read_meta

    ck = folder / CHECKPOINT_NAME
    if not ck.exists():
        if (folder / LEGACY_NAME).exists():
            raise ValueError(
                f"{folder / LEGACY_NAME} is a pickle checkpoint of an earlier eqsolve, which is not "
                f"loaded (pickles can run code); train again with --restart"
            )
        raise ValueError(f"no checkpoint at {ck}; run `eqsolve train --workdir {folder}` first")
    return TrainConfig.from_dict(read_meta(ck)["config"])


def _cmd_evaluate(args) -> int:
    from ...safeio import atomic_write_json, check_writable_file
    from ..data.fingerprint import path_fingerprint
    from ..data.movielens import _accepted_labels, describe_split
    from ..data.ratings import bias_baseline
    from ..data.scale import parse_scale
    from ..train import Trainer, rmse

    workdir = Path(args.workdir)
    members = _members(workdir)
    cfgs = [_read_config(m) for m in members]
    output = check_writable_file(args.output, "the metrics") if args.output else None  # before any work
    predictions = check_writable_file(args.save_predictions, "the predictions") if args.save_predictions else None
    cfg = cfgs[0]
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
                raise ValueError(
                    f"the training data {data} (from {workdir / 'data.json'}) no longer exists; give it with --data"
                )
            if d.get("data_fingerprint") and path_fingerprint(data) != d["data_fingerprint"]:
                raise ValueError(
                    f"the training data {data} changed since training (its fingerprint differs from "
                    f"{workdir / 'data.json'}); pass --data {data} to evaluate on it as it is now"
                )
    fold = 1 if fold is None else fold
    context, test = load_data(data, fold, seed, any_scale=True)
    if test is None or len(test) == 0:
        raise ValueError(
            f"{data}: no test entries to evaluate; split labels found: {describe_split(context)}; "
            f"accepted: {_accepted_labels()} (give a MovieLens folder or a triples file whose "
            f"4th column marks the test entries)"
        )
    scale = parse_scale(args.scale, np.r_[context.ratings, test.ratings], cfg.levels)
    if args.map_back == "fit":
        scale = scale.fit_back(context.ratings)
    ctx_levels = scale.ratings_to_levels(context)
    side = load_side_features(data, context) if cfg.side_features else None
    preds, steps = [], []
    for folder, c in zip(members, cfgs):
        if args.eval_passes is not None:
            c.eval_passes = args.eval_passes
        if args.sampler is not None:
            c.sampler = args.sampler
        trainer = Trainer(c, ctx_levels, None, workdir=folder, resume=True, side=side, predict_only=True)
        if not trainer.resumed:
            raise ValueError(f"could not load the checkpoint in {folder}")
        use_best = args.weights == "best" and trainer.best_params is not None
        params = trainer.best_params if use_best else trainer.eval_params
        steps.append(trainer.best_step if use_best else trainer.step_count)
        preds.append(trainer.predict(ctx_levels, test, params=params))
    pred = scale.from_model(np.mean(preds, axis=0))
    score = rmse(pred, test.ratings)
    bias = rmse(bias_baseline(context)(test.users, test.items), test.ratings)  # fitted on the raw ratings
    out = {
        "data": str(data or "synthetic"),
        "fold": fold,
        "test_rmse": _finite(score),
        "bias_baseline_test_rmse": _finite(bias),
        "n_test": len(test),
        "n_context": len(context),
        "shape": list(context.shape),
        "step": steps[0] if len(steps) == 1 else steps,
        "members": len(members),
        "weights": args.weights,
        "scale": None if scale.identity else [scale.lo, scale.hi],
        "map_back": None if scale.identity else ("range" if scale.back is None else list(scale.back)),
        "levels": list(scale.levels),
    }
    if output is not None:
        atomic_write_json(output, out)
    if predictions is not None:
        save_predictions(predictions, test, pred)
    what = f"ensemble of {len(members)}" if len(members) > 1 else f"model at step {steps[0]} ({args.weights})"
    print(
        f"test RMSE {score:.4f} (user+item bias baseline {bias:.4f}) on {len(test)} entries of "
        f"{data or 'synthetic'} [{context.n_users}x{context.n_items}], {what}; ratings: {scale.describe()}"
    )
    return 0


def save_predictions(path, test, pred) -> Path:
    """CSV ``user,item,true,prediction`` (raw ids when known; raw rating scale), written atomically."""
    import csv
    import io

    from ...safeio import atomic_write_bytes

    users = test.users if test.user_vocab is None else test.user_vocab[test.users]
    items = test.items if test.item_vocab is None else test.item_vocab[test.items]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["user", "item", "true", "prediction"])
    for u, i, t, p_ in zip(users.tolist(), items.tolist(), test.ratings.tolist(), np.asarray(pred).tolist()):
        w.writerow([u, i, f"{t:g}", f"{p_:.6g}"])
    path = Path(path)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train an exchangeable ratings model (resumable)",
        description="Train a sparse exchangeable model (Hartford et al. 2018) on ratings data. "
        "Data: a MovieLens-100K folder (uK.base/uK.test), a ratings.dat, or a file of "
        "'user item rating [split]' lines; default: synthetic ratings.",
    )
    p.add_argument("--data", default=None, help="ratings folder or file (default: synthetic)")
    p.add_argument("--fold", type=int_at_least(1), default=1, help="MovieLens-100K split u1..u5")
    p.add_argument(
        "--val-fraction",
        type=float_in(0, 1, hi_open=True),
        default=0.05,
        help="validation share of the training ratings",
    )
    p.add_argument("--workdir", default="runs/train", help="checkpoint, plot and metrics folder")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument(
        "--time-limit",
        type=float_in(0, lo_open=True),
        default=1800.0,
        help="training budget in seconds (default 1800), shared by ensemble members; the "
        "learning-rate schedule is fitted to it (it decays over the steps that fit)",
    )
    p.add_argument(
        "--ensemble",
        type=int_at_least(1),
        default=1,
        metavar="K",
        help="train K members (seeds seed..seed+K-1, in workdir/member-k) whose predictions `evaluate` averages",
    )
    add_model_arguments(p)
    add_distributed_arguments(p)
    p.set_defaults(func=_cmd_train)

    e = subparsers.add_parser(
        "evaluate",
        help="test RMSE of a trained model, also on another data set (inductive)",
        description="Predict the test ratings of a data set from its training ratings with a trained "
        "model. With --data another data set, the model completes a matrix of users and "
        "items it never saw (the layers do not depend on the matrix size).",
    )
    e.add_argument("--workdir", default="runs/train")
    e.add_argument("--data", default=None, help="data set to complete (default: the training one)")
    e.add_argument("--fold", type=int_at_least(1), default=None)
    e.add_argument(
        "--sampler",
        choices=["none", "uniform", "conditional"],
        default=None,
        help="predict by covering sub-matrices (for big matrices)",
    )
    e.add_argument("--eval-passes", type=int_at_least(1), default=None)
    e.add_argument("--output", default=None, help="write the metrics as JSON here")
    e.add_argument(
        "--scale",
        default=None,
        metavar="auto|levels|LO:HI",
        help="rating scale of the data: 'auto' (default: the model's levels when every rating is "
        "one, else the data's range), 'levels', or LO:HI, e.g. 0.5:5 or 1:100; ratings are "
        "binned onto the model's levels and predictions mapped back linearly",
    )
    e.add_argument(
        "--map-back",
        choices=["fit", "range"],
        default="fit",
        help="on another scale, map predictions back by the least-squares line raw = a + b x level "
        "fitted on the context ratings (default) or by the map of the levels' range onto the scale",
    )
    e.add_argument(
        "--weights",
        choices=["best", "last"],
        default="best",
        help="the best-validation checkpoint (best.npz; default) or the last one",
    )
    e.add_argument(
        "--save-predictions",
        default=None,
        metavar="FILE",
        help="write CSV user,item,true,prediction (raw ids, raw scale)",
    )
    e.set_defaults(func=_cmd_evaluate)
