"""The training loop of the exchangeable ratings models: ``Trainer`` (resumable, validated).

Full-batch on all observed entries by default; ``sampler="uniform"|"conditional"`` trains on
random sub-matrices instead (for big matrices). See :mod:`.steps` for the loss and
:mod:`.prediction` for prediction.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..data.ratings import Ratings, bias_baseline
from ..data.sampling import localize, sample_conditional, sample_uniform
from ..data.fingerprint import ratings_fingerprint
from .checkpoint import (
    BEST_NAME,
    CHECKPOINT_NAME,
    FREE_ON_PREDICT,
    FREE_ON_RESUME,
    LEGACY_NAME,
    load_checkpoint,
    save_checkpoint,
)
from .config import TrainConfig
from .models import build_model
from .validate import check_config
from .prediction import _bucket, _extra_hidden, _levels_of, _side_rows, default_levels, predict, rmse
from .steps import get_fns
from . import sharded

__all__ = ["Trainer", "TrainingDiverged"]


class TrainingDiverged(ValueError):
    """The training loss became NaN or infinite; nothing of the diverged weights was saved."""


class Trainer:
    """Train an exchangeable model on ``train`` ratings, validating on ``val``.

    With ``workdir``, checkpoints go to ``workdir/checkpoint.npz`` every ``checkpoint_every``
    steps (and at the end); a new Trainer on the same workdir resumes from the exact step, but
    only on the same data (fingerprint of ``train`` and ``val``) with the same settings (else a
    ``CheckpointError`` names the difference and how to start fresh). ``predict_only``: load a
    checkpoint to predict (``evaluate``): other data and sampler settings are allowed.
    A non-finite loss stops the run with a ``TrainingDiverged`` error before any checkpoint of
    the diverged weights is written (the last good one is kept).
    ``side``: optional (user features (n_users, F_u), item features (n_items, F_i)) given with
    the data (e.g. demographics and genres), broadcast as input channels of every entry.
    ``mesh``: a 1-D device mesh (``eqsolve.runtime.sharded.entry_mesh``, also over several
    processes) to split the entries over (:mod:`.sharded`); the results equal one device's.
    """

    def __init__(
        self,
        cfg: TrainConfig,
        train: Ratings,
        val: Ratings | None = None,
        workdir=None,
        resume: bool = True,
        positions: Ratings | None = None,
        side=None,
        predict_only: bool = False,
        mesh=None,
    ):
        import jax
        import optax
        from flax import nnx

        check_config(cfg)
        self.cfg = cfg
        self.train_data, self.val_data = train, val
        # known positions with unknown ratings (e.g. validation + test positions, as in the
        # paper's code): hidden entries that pool when cfg.positions_visible, full batch only
        self.positions = positions if cfg.positions_visible else None
        if not cfg.levels:
            cfg.levels = default_levels(train)
        self.values = np.asarray(cfg.levels, np.float32)
        self.train_levels = _levels_of(train, self.values)
        self.side = None
        if cfg.side_features and side is None:
            raise ValueError("cfg.side_features=True needs side=(user features, item features)")
        if side is not None and not cfg.side_features:
            raise ValueError("side features were given but cfg.side_features is False")
        if side is not None:
            self.side = tuple(np.asarray(f, np.float32) for f in side)
            if len(self.side) != 2 or any(f.ndim != 2 for f in self.side):
                raise ValueError("side must be (user features (n_users, F_u), item features (n_items, F_i))")
            _side_rows(self.side, (train.n_users, train.n_items))
        self.model = build_model(
            cfg, len(self.values), side_dims=(0, 0) if side is None else tuple(f.shape[1] for f in self.side)
        )
        self.graphdef, params, self.rest = nnx.split(self.model, nnx.Param, ...)
        # Adam (AdamW with weight decay) without its learning rate: the step multiplies the update
        # by ``lr_at(step)``, a cosine decay over ``self.horizon`` steps (``cfg.steps``, or fewer
        # when a time limit cannot fit them: see ``run``); the same updates as optax.adam(schedule)
        parts = [optax.clip_by_global_norm(cfg.clip)] if cfg.clip > 0 else []
        parts.append(optax.scale_by_adam())
        if cfg.weight_decay:
            parts.append(optax.add_decayed_weights(cfg.weight_decay))
        self.tx = optax.chain(*parts)
        self.horizon = max(int(cfg.steps), 1)
        self.params = params
        # with cfg.ema the optimizer state carries the averaged weights: (optax state, average)
        self.opt_state = (self.tx.init(params), params) if cfg.ema else self.tx.init(params)
        self.key = jax.random.PRNGKey(cfg.seed)
        self.step_count = 0
        self.history: list[dict] = []
        self.elapsed = 0.0
        self.mesh = mesh
        self.fns = get_fns(self.graphdef, self.rest, self.tx, cfg, self.values, mesh)
        self.workdir = Path(workdir) if workdir is not None else None
        self.resumed = False
        self.best_params, self.best_step, self.best_val = None, None, None
        self.predict_only = predict_only
        self.data_fingerprint = ratings_fingerprint(train, val)
        if (
            self.workdir is not None
            and resume
            and (self.workdir / LEGACY_NAME).exists()
            and not (self.workdir / CHECKPOINT_NAME).exists()
        ):
            raise ValueError(
                f"{self.workdir / LEGACY_NAME} is a pickle checkpoint of an earlier eqsolve; pickles "
                f"can run code, so it is not loaded: start fresh with --restart (or delete it), or "
                f"use another --workdir"
            )
        if self.workdir is not None and resume and (self.workdir / CHECKPOINT_NAME).exists():
            self.load(self.workdir / CHECKPOINT_NAME)
            self.resumed = True
        if mesh is not None and not self.resumed:  # (load places the loaded state itself)
            self.params, self.opt_state = sharded.replicate((self.params, self.opt_state), mesh)
        self._full_batch = None

    # --- state -----------------------------------------------------------------------------
    @property
    def eval_params(self):
        """The weights used for validation and prediction: the moving average when
        ``cfg.ema`` is on, else the current weights."""
        return self.opt_state[1] if self.cfg.ema else self.params

    def lr_at(self, step: int) -> float:
        """Learning rate of the update made at ``step`` (0-based): cosine decay from ``cfg.lr`` to
        ``cfg.lr * cfg.lr_final_frac`` over ``self.horizon`` steps (as optax.cosine_decay_schedule)."""
        frac = min(step, self.horizon) / self.horizon
        a = self.cfg.lr_final_frac
        return float(self.cfg.lr * ((1.0 - a) * 0.5 * (1.0 + np.cos(np.pi * frac)) + a))

    def save(self, path=None, params=None):
        """Write the last state (default ``workdir/checkpoint.npz``); ``params``: other weights to
        store instead of the current ones (the best-validation checkpoint)."""
        path = path or (self.workdir / CHECKPOINT_NAME)
        params, opt_state = (self.params if params is None else params), self.opt_state
        if self.mesh is not None:
            params, opt_state = sharded.host((params, opt_state))
        if not sharded.writes_files():  # several processes: the first one writes
            return path
        save_checkpoint(
            path,
            params=params,
            opt_state=opt_state,
            step=self.step_count,
            key=self.key,
            history=self.history,
            config=self.cfg.to_dict(),
            extra={
                "elapsed": self.elapsed,
                "horizon": self.horizon,
                "best_step": self.best_step,
                "best_val": self.best_val,
            },
            data=self.data_fingerprint,
        )
        return path

    def load(self, path):
        ck = load_checkpoint(
            path,
            params_template=self.params,
            opt_state_template=self.opt_state,
            config=self.cfg.to_dict(),
            data=None if self.predict_only else self.data_fingerprint,
            free=FREE_ON_PREDICT if self.predict_only else FREE_ON_RESUME,
        )
        self.params, self.opt_state = ck["params"], ck["opt_state"]
        if self.mesh is not None:
            self.params, self.opt_state = sharded.replicate((self.params, self.opt_state), self.mesh)
        self.key, self.step_count, self.history = ck["key"], ck["step"], list(ck["history"])
        extra = ck.get("extra", {})
        self.elapsed = float(extra.get("elapsed", 0.0))
        if ck["config"].get("steps") == self.cfg.steps:  # a time-limited run's plan holds for the same steps
            self.horizon = int(extra.get("horizon", self.horizon))
        best = Path(path).with_name(BEST_NAME)
        if best.exists():  # written when validation improved; ignored if from beyond the resumed step
            b = load_checkpoint(
                best,
                params_template=self.params,
                opt_state_template=self.opt_state,
                config=self.cfg.to_dict(),
                data=None if self.predict_only else self.data_fingerprint,
                free=FREE_ON_PREDICT if self.predict_only else FREE_ON_RESUME,
            )
            if b["step"] <= self.step_count:
                self.best_params, self.best_step, self.best_val = b["params"], b["step"], b["extra"]["best_val"]
                if self.mesh is not None:
                    self.best_params = sharded.replicate(self.best_params, self.mesh)

    # --- batches ---------------------------------------------------------------------------
    def _batch(self, step: int):
        import jax.numpy as jnp

        r = self.train_data
        if self.cfg.sampler == "none":
            if self._full_batch is None:
                n = len(r)
                eu, ei = _extra_hidden(r, r.subset(np.zeros(0, np.int64)), self.positions)
                ne = len(eu)
                self._full_batch = (
                    {
                        "u": jnp.asarray(np.concatenate([r.users, eu]).astype(np.int32)),
                        "i": jnp.asarray(np.concatenate([r.items, ei]).astype(np.int32)),
                        "level": jnp.asarray(np.concatenate([self.train_levels, np.zeros(ne, np.int32)])),
                        "valid": jnp.asarray(np.r_[np.ones(n), np.zeros(ne)].astype(np.float32)),
                        "fixed": jnp.asarray(np.r_[np.zeros(n), np.ones(ne)].astype(np.float32)),
                    },
                    (r.n_users, r.n_items),
                )
                if self.side is not None:
                    self._full_batch[0]["side"] = _side_rows(self.side, self._full_batch[1])
                if self.mesh is not None:
                    self._full_batch = (sharded.place_batch(self._full_batch[0], self.mesh), self._full_batch[1])
            return self._full_batch
        rng = np.random.default_rng([self.cfg.seed, step])  # per-step: exact on resume
        sampler = sample_uniform if self.cfg.sampler == "uniform" else sample_conditional
        rows, cols, ent = sampler(r, self.cfg.sample_rows, self.cfg.sample_cols, rng)
        lu, li = localize(r, rows, cols, ent)
        n = len(ent)
        pad = _bucket(n) - n
        z = lambda a, fill=0: np.concatenate([a, np.full(pad, fill, a.dtype)])
        batch = {
            "u": jnp.asarray(z(lu.astype(np.int32))),
            "i": jnp.asarray(z(li.astype(np.int32))),
            "level": jnp.asarray(z(self.train_levels[ent])),
            "valid": jnp.asarray(z(np.ones(n, np.float32))),
            "fixed": jnp.zeros((n + pad,), jnp.float32),
        }
        if self.side is not None:
            batch["side"] = (jnp.asarray(self.side[0][rows]), jnp.asarray(self.side[1][cols]))
        if self.mesh is not None:
            batch = sharded.place_batch(batch, self.mesh)
        return batch, (len(rows), len(cols))

    # --- loop ------------------------------------------------------------------------------
    def predict(self, context: Ratings, queries: Ratings, seed: int = 0, params=None, side=None, scale=None):
        """Predictions for ``queries`` given ``context`` (the evaluation weights unless given).

        ``side``: side features of another data set (inductive use); default the trainer's own.
        ``scale``: a ``RatingScale`` when ``context`` is on another rating scale: its ratings
        are binned onto the model's levels and the predictions mapped back to that scale."""
        params = self.eval_params if params is None else params
        side = self.side if side is None else tuple(np.asarray(f, np.float32) for f in side)
        if scale is not None:
            context = scale.ratings_to_levels(context)
        p = predict(
            self.fns, params, context, queries, self.values, self.cfg, seed, positions=self.positions, side=side
        )
        return p if scale is None else scale.from_model(p)

    def validate(self) -> float | None:
        if self.val_data is None or len(self.val_data) == 0:
            return None
        return rmse(self.predict(self.train_data, self.val_data), self.val_data.ratings)

    def run(
        self,
        steps: int | None = None,
        progress: bool = False,
        stop_after: int | None = None,
        log=None,
        max_seconds: float | None = None,
    ):
        """Train until ``steps`` (default ``cfg.steps``) total steps are done.

        ``stop_after``: stop after this many steps in this call (for tests of interruption).
        ``max_seconds``: a budget for the run's total training time (including earlier resumed
        parts). The schedule is fitted to it: from the measured time per step (validation
        included) the run plans how many steps fit, and the learning rate decays to its final
        value over that many (``self.horizon``, never more than ``cfg.steps``); re-planned at
        every validation. Once the budget is spent the run stops after validating and
        checkpointing, whatever the plan said.
        With a workdir, the weights of the best validation step so far are written to
        ``best.pkl`` beside ``checkpoint.pkl`` (the last step) whenever validation improves.
        Returns the history (list of dicts with step, train_loss, val_rmse, elapsed).
        """
        import jax

        total = self.cfg.steps if steps is None else steps
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=self.step_count, desc=f"train {self.cfg.model}", unit="step")
        done_here = 0
        t0 = time.perf_counter()
        base_elapsed = self.elapsed
        clock = lambda: base_elapsed + time.perf_counter() - t0  # noqa: E731
        losses = []
        mark = None  # (time, step) after this call's first (compiling) step: the rate's origin
        pending = []  # losses since the last finiteness check (at validation and before each checkpoint)
        while self.step_count < total:
            if stop_after is not None and done_here >= stop_after:
                break
            batch, sizes = self._batch(self.step_count)
            self.key, sub = jax.random.split(self.key)
            self.params, self.opt_state, loss = self.fns.step(
                self.params, self.opt_state, batch, sub, sizes, np.float32(self.lr_at(self.step_count))
            )
            self.step_count += 1
            done_here += 1
            losses.append(loss)
            pending.append(loss)
            if bar is not None:
                bar.update(1)
            evaluate = self.step_count % self.cfg.eval_every == 0
            if max_seconds is not None and (done_here in (1, 6) or evaluate):
                jax.block_until_ready(loss)
                if mark is None:
                    mark = (clock(), self.step_count)
                elif self.step_count > mark[1]:  # plan: steps that fit in the time left (5% margin)
                    per_step = (clock() - mark[0]) / (self.step_count - mark[1])
                    fit = self.step_count + int(0.95 * max(max_seconds - clock(), 0.0) / per_step)
                    self.horizon = max(min(total, fit), self.step_count, 1)
            over = max_seconds is not None and clock() > max_seconds
            last = self.step_count == total or over or (max_seconds is not None and self.step_count >= self.horizon)
            if evaluate or last:
                self._check_finite(pending)
                pending = []
                tl = float(np.mean([float(x) for x in losses])) if losses else None
                losses = []
                val = self.validate()
                self.elapsed = clock()
                rec = {
                    "step": self.step_count,
                    "train_loss": tl,
                    "val_rmse": val,
                    "elapsed": self.elapsed,
                    "lr": self.lr_at(self.step_count - 1),
                }
                if self.cfg.ema and val is not None:  # the current (not averaged) weights, for comparison
                    rec["val_rmse_current"] = rmse(
                        self.predict(self.train_data, self.val_data, params=self.params), self.val_data.ratings
                    )
                if val is not None and (self.best_val is None or val < self.best_val):
                    self.best_params, self.best_step, self.best_val = self.eval_params, self.step_count, val
                    if self.workdir is not None:
                        self.save(self.workdir / BEST_NAME, params=self.best_params)
                self.history.append(rec)
                if bar is not None:
                    bar.set_postfix(loss=f"{tl:.4f}", val_rmse="-" if val is None else f"{val:.4f}")
                if log is not None:
                    log(rec)
            if self.workdir is not None and (self.step_count % self.cfg.checkpoint_every == 0 or last):
                self._check_finite(pending)
                pending = []
                self.elapsed = clock()
                self.save()
            if last:
                break
        self.elapsed = clock()
        if bar is not None:
            bar.close()
        return self.history

    def _check_finite(self, losses) -> None:
        """Raise TrainingDiverged when a loss in ``losses`` (the steps just done) or a weight is
        not finite; called before validation and before every checkpoint, so the diverged weights
        are never written and the last good checkpoint stays."""
        import jax

        vals = np.array([float(x) for x in losses], dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(vals))
        weights_ok = all(bool(np.isfinite(np.asarray(x)).all()) for x in jax.tree.leaves(self.params))
        if len(bad) == 0 and weights_ok:
            return
        step = self.step_count - len(vals) + (int(bad[0]) + 1 if len(bad) else len(vals))
        what = f"the loss is {vals[bad[0]]}" if len(bad) else "a weight is not finite"
        kept = (
            f"the last good checkpoint in {self.workdir} is kept"
            if self.workdir is not None and (self.workdir / CHECKPOINT_NAME).exists()
            else "nothing was saved"
        )
        raise TrainingDiverged(
            f"training diverged: {what} at step {step}; {kept}. Lower --lr (now {self.cfg.lr:g}) "
            f"or clip gradients with --clip"
        )

    def bias_rmse(self, context: Ratings | None = None, queries: Ratings | None = None) -> float | None:
        context = self.train_data if context is None else context
        queries = self.val_data if queries is None else queries
        if queries is None:
            return None
        return rmse(bias_baseline(context)(queries.users, queries.items), queries.ratings)
