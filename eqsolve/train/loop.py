"""Training and prediction for the exchangeable ratings models.

Training is self-supervised: each step hides a random fraction (``mask_rate``) of the
observed training ratings and the model predicts them from the rest (cross-entropy over rating
levels; the prediction is the expected rating). Full-batch on all observed entries by default;
``sampler="uniform"|"conditional"`` trains on random sub-matrices instead (for big matrices).

Prediction: the context (known) ratings are given as input and the query entries as hidden
entries (one-hot zeros + indicator). With ``positions_visible=False`` (default) hidden entries
do not take part in any pooling, so the predictions depend only on the context ratings, never
on which query positions exist; ``True`` follows the paper's code (hidden entries are pooled).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.ratings import Ratings, bias_baseline
from ..data.sampling import coverage_blocks, localize, sample_conditional, sample_uniform, entries_in
from .checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint

__all__ = ["TrainConfig", "Trainer", "build_model", "predict", "rmse", "default_levels"]


@dataclass
class TrainConfig:
    model: str = "self-supervised"  # or "factorized"
    ch: int = 128
    num_layers: int = 4  # self-supervised: exchangeable layers including the output layer
    enc_layers: int = 3  # factorized
    dec_layers: int = 2
    factor_dim: int = 64
    dropout: float = 0.5
    mask_rate: float = 0.15
    positions_visible: bool = False
    lr: float = 1e-3
    lr_final_frac: float = 0.1  # cosine decay to lr * lr_final_frac
    weight_decay: float = 0.0
    mse_weight: float = 0.0  # optional extra loss on the expected rating
    visible_loss_weight: float = 0.0  # weight of the CE on the visible (unmasked) entries
    clip: float = 0.0  # global gradient-norm clipping (0 = off)
    ema: float = 0.0  # decay of an exponential moving average of the weights (0 = off); when on,
    # validation, best-step selection and prediction use the averaged weights
    side_features: bool = False  # per-user / per-item features of the data set (Trainer(side=...)) as inputs
    side_scale: float = 0.1  # output multiplier (= relative Adam step) of the side-feature path
    count_features: bool = False  # log(1 + #ratings) of the user and the item as side features
    random_features: int = 0  # Gaussian features per user and per item, redrawn every pass
    eval_samples: int = 1  # predictions averaged over this many random-feature draws
    residual: bool = False  # skip connections between hidden layers of equal width
    norm: bool = False  # layer norm of each entry's channels before hidden layers
    steps: int = 1000
    eval_every: int = 100
    checkpoint_every: int = 100
    seed: int = 0
    sampler: str = "none"  # "none" | "uniform" | "conditional"
    sample_rows: int = 512
    sample_cols: int = 512
    eval_passes: int = 1  # coverage passes when predicting with a sampler
    levels: tuple = ()  # rating values; empty = distinct training ratings

    def to_dict(self):
        d = dataclasses.asdict(self)
        d["levels"] = [float(x) for x in self.levels]
        return d

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        d = {k: v for k, v in d.items() if k in names}
        if "levels" in d:
            d["levels"] = tuple(d["levels"])
        return cls(**d)


def build_model(cfg: TrainConfig, n_levels: int, seed: int | None = None, side_dims: tuple = (0, 0)):
    """The model of ``cfg``; ``side_dims``: number of given (data) features per user and per item."""
    from flax import nnx

    from ..nn.exchangeable import FactorizedExchangeable, SelfSupervisedExchangeable

    rngs = nnx.Rngs(params=cfg.seed if seed is None else seed)
    k = int(cfg.count_features) + int(cfg.random_features)
    side = tuple(k + int(d) for d in side_dims) if k or any(side_dims) else ()
    if cfg.model in ("self-supervised", "selfsup", "masked"):
        return SelfSupervisedExchangeable(n_levels, ch=cfg.ch, num_layers=cfg.num_layers, dropout=cfg.dropout, side_dims=side,
                                          residual=cfg.residual, norm=cfg.norm, side_scale=cfg.side_scale, rngs=rngs)
    if cfg.model in ("factorized", "autoencoder"):
        return FactorizedExchangeable(
            n_levels, ch=cfg.ch, enc_layers=cfg.enc_layers, dec_layers=cfg.dec_layers,
            factor_dim=cfg.factor_dim, dropout=cfg.dropout, side_dims=side,
            residual=cfg.residual, norm=cfg.norm, side_scale=cfg.side_scale, rngs=rngs,
        )
    raise ValueError(f"unknown model {cfg.model!r}; use 'self-supervised' or 'factorized'")


def rmse(pred, target) -> float:
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    return float(np.sqrt(np.mean((pred - target) ** 2)))


def _bucket(n: int) -> int:
    """Pad sizes to a few static shapes (powers of two times 1, 1.25, 1.5, 1.75)."""
    if n <= 1024:
        return 1024
    p = 1 << (n - 1).bit_length() - 1
    for f in (1.25, 1.5, 1.75, 2.0):
        if n <= int(p * f):
            return int(p * f)
    return 2 * p


_FNS_CACHE: dict = {}


def _get_fns(graphdef, rest, tx, cfg: "TrainConfig", values):
    """Reuse jitted functions across Trainers with the same graph, config and levels."""
    import json

    try:
        key = (graphdef, json.dumps(cfg.to_dict(), sort_keys=True), tuple(float(v) for v in values))
        hash(key)
    except TypeError:
        return _Fns(graphdef, rest, tx, cfg, values)
    if key not in _FNS_CACHE:
        if len(_FNS_CACHE) > 32:
            _FNS_CACHE.clear()
        _FNS_CACHE[key] = _Fns(graphdef, rest, tx, cfg, values)
    return _FNS_CACHE[key]


class _Fns:
    """Jitted step / predict functions for a given model graph and optimizer."""

    def __init__(self, graphdef, rest, tx, cfg: TrainConfig, values):
        import jax
        import jax.numpy as jnp
        import optax
        from flax import nnx

        from ..nn.exchangeable import encode_ratings, expected_rating

        K = len(values)
        vals = jnp.asarray(values, jnp.float32)

        def forward(params, x, index, sizes, weights, key, deterministic, fkey=None, given=None):
            model = nnx.merge(graphdef, params, rest)
            side = None
            if cfg.count_features or cfg.random_features or given is not None:
                side = []
                for a in range(2):
                    parts = [] if given is None else [given[a]]
                    if cfg.count_features:  # log(1 + number of contributing entries) per row / column
                        cnt = jax.ops.segment_sum(weights, index[a], num_segments=sizes[a])
                        parts.append(jnp.log1p(cnt)[:, None] / 5.0)
                    if cfg.random_features:  # equivariant in distribution: i.i.d. per user / item
                        parts.append(jax.random.normal(jax.random.fold_in(fkey, a), (sizes[a], cfg.random_features)))
                    side.append(jnp.concatenate(parts, axis=1))
            return model(x, index, sizes, weights, key=key, deterministic=deterministic, side=side)

        def loss_fn(params, batch, key, sizes):
            kmask, kdrop, kfeat = jax.random.split(key, 3)
            valid = batch["valid"]  # 1: a training rating; 0: padding or a known position
            fixed = batch["fixed"]  # 1: a position whose rating is unknown (always hidden)
            n = valid.shape[0]
            masked = jax.random.bernoulli(kmask, cfg.mask_rate, (n,)).astype(jnp.float32) * valid
            hidden = jnp.maximum(masked, fixed)
            x = encode_ratings(batch["level"], hidden, K)
            w = jnp.maximum(valid, fixed) if cfg.positions_visible else valid * (1.0 - hidden)
            logits = forward(params, x, (batch["u"], batch["i"]), sizes, w, kdrop, False, kfeat, batch.get("side"))
            ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch["level"])
            hidden = masked  # the loss is on the masked training ratings only
            denom = jnp.maximum(hidden.sum(), 1.0)
            loss = jnp.sum(ce * hidden) / denom
            if cfg.visible_loss_weight:
                vis = valid * (1.0 - hidden)
                a = cfg.visible_loss_weight
                loss = (1 - a) * loss + a * jnp.sum(ce * vis) / jnp.maximum(vis.sum(), 1.0)
            if cfg.mse_weight:
                err = expected_rating(logits, vals) - vals[batch["level"]]
                loss = loss + cfg.mse_weight * jnp.sum(err**2 * hidden) / denom
            return loss

        def step(params, state, batch, key, sizes):
            opt_state, avg = state if cfg.ema else (state, None)
            loss, grads = jax.value_and_grad(loss_fn)(params, batch, key, sizes)
            updates, opt_state = tx.update(grads, opt_state, params)
            params = optax.apply_updates(params, updates)
            if not cfg.ema:
                return params, opt_state, loss
            avg = jax.tree.map(lambda a, p: cfg.ema * a + (1.0 - cfg.ema) * p, avg, params)
            return params, (opt_state, avg), loss

        def pred(params, batch, sizes, fkey):
            x = encode_ratings(batch["level"], batch["hidden"], K)
            logits = forward(params, x, (batch["u"], batch["i"]), sizes, batch["w"], None, True, fkey, batch.get("side"))
            return expected_rating(logits, vals)

        self.step = jax.jit(step, static_argnums=(4,))
        self.pred = jax.jit(pred, static_argnums=(2,))


def default_levels(r: Ratings) -> tuple:
    """Rating levels: every integer from min to max for integer ratings, else the distinct values."""
    v = r.levels()
    if len(v) and np.allclose(v, np.round(v)):
        return tuple(float(x) for x in np.arange(np.round(v.min()), np.round(v.max()) + 1))
    return tuple(float(x) for x in v)


def _levels_of(r: Ratings, values) -> np.ndarray:
    values = np.asarray(values, np.float32)
    lv = np.searchsorted(values, r.ratings)
    lv = np.clip(lv, 0, len(values) - 1)
    if not np.allclose(values[lv], r.ratings):
        raise ValueError(f"ratings contain values outside the rating levels {values.tolist()}")
    return lv.astype(np.int32)


def _extra_hidden(context: Ratings, queries: Ratings, positions: Ratings | None):
    """Known positions that are neither context nor queries: (users, items)."""
    if positions is None or len(positions) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    m = int(max(context.n_items, queries.n_items, positions.n_items))
    key = lambda r: r.users.astype(np.int64) * m + r.items
    keep = ~np.isin(key(positions), np.concatenate([key(context), key(queries)]))
    return positions.users[keep], positions.items[keep]


def _predict_batch(fns, params, context: Ratings, queries: Ratings, values, cfg, ctx_idx=None, q_idx=None, rows=None,
                   cols=None, positions=None, side=None):
    """Predict queries (optionally restricted to a sub-matrix rows x cols) from context.

    ``positions``: further known positions (unknown ratings) that take part as hidden entries
    when ``cfg.positions_visible`` (full-matrix prediction only). ``side``: (user features,
    item features) over the whole id space, or None.
    """
    import jax.numpy as jnp

    if rows is None:
        cu, ci, cl = context.users, context.items, _levels_of(context, values)
        qu, qi = queries.users, queries.items
        if cfg.positions_visible and positions is not None:
            eu, ei = _extra_hidden(context, queries, positions)
            qu, qi = np.concatenate([qu, eu]), np.concatenate([qi, ei])
        sizes = (int(max(context.n_users, queries.n_users)), int(max(context.n_items, queries.n_items)))
    else:
        cu, ci = localize(context, rows, cols, ctx_idx)
        cl = _levels_of(context.subset(ctx_idx), values)
        qu, qi = localize(queries, rows, cols, q_idx)
        sizes = (len(rows), len(cols))
    nc, nq = len(cu), len(qu)
    n = nc + nq
    pad = _bucket(n) - n
    cat = lambda a, b, fill=0: np.concatenate([a, b, np.full(pad, fill, a.dtype)])
    batch = {
        "u": jnp.asarray(cat(cu.astype(np.int32), qu.astype(np.int32))),
        "i": jnp.asarray(cat(ci.astype(np.int32), qi.astype(np.int32))),
        "level": jnp.asarray(cat(cl.astype(np.int32), np.zeros(nq, np.int32))),
        "hidden": jnp.asarray(cat(np.zeros(nc, np.float32), np.ones(nq, np.float32), 1.0)),
        "w": jnp.asarray(cat(np.ones(nc, np.float32), np.full(nq, 1.0 if cfg.positions_visible else 0.0, np.float32))),
    }
    if side is not None:
        batch["side"] = _side_rows(side, sizes) if rows is None else (jnp.asarray(side[0][rows]), jnp.asarray(side[1][cols]))
    import jax

    n_draws = max(int(cfg.eval_samples), 1) if cfg.random_features else 1
    out = 0.0
    for d in range(n_draws):
        out = out + np.asarray(fns.pred(params, batch, sizes, jax.random.PRNGKey(1000 + d)))
    out = out / n_draws
    return out[nc:nc + len(queries) if rows is None else nc + nq]


def _side_rows(side, sizes):
    """The side-feature tables as JAX arrays, checked to cover a matrix of ``sizes``."""
    import jax.numpy as jnp

    for a, (feats, n) in enumerate(zip(side, sizes)):
        if feats.shape[0] < n:
            raise ValueError(f"side features cover {feats.shape[0]} {('users', 'items')[a]}, the matrix has {n}")
    return tuple(jnp.asarray(feats[:n]) for feats, n in zip(side, sizes))


def predict(fns, params, context: Ratings, queries: Ratings, values, cfg: TrainConfig, seed: int = 0, positions=None,
            side=None):
    """Predicted ratings for every entry of ``queries`` given ``context``; clipped to levels.

    ``side``: (user features (n_users, F_u), item features (n_items, F_i)) when the model was
    built with given side features, else None.

    Without a sampler: one pass over the whole matrix. With a sampler: coverage blocks of
    ``sample_rows x sample_cols`` so every query is predicted ``eval_passes`` times; averaged.
    """
    values = np.asarray(values, np.float32)
    if cfg.sampler == "none":
        p = _predict_batch(fns, params, context, queries, values, cfg, positions=positions, side=side)
    else:
        rng = np.random.default_rng(seed)
        total = np.zeros(len(queries))
        count = np.zeros(len(queries))
        for rows, cols in coverage_blocks(queries, cfg.sample_rows, cfg.sample_cols, rng, cfg.eval_passes):
            q_idx = entries_in(queries, rows, cols)
            c_idx = entries_in(context, rows, cols)
            total[q_idx] += _predict_batch(fns, params, context, queries, values, cfg, c_idx, q_idx, rows, cols, side=side)
            count[q_idx] += 1
        if np.any(count == 0):  # cannot happen: coverage_blocks covers every query
            raise RuntimeError("coverage failed: some query entries were never predicted")
        p = total / count
    return np.clip(p, values.min(), values.max())


class Trainer:
    """Train an exchangeable model on ``train`` ratings, validating on ``val``.

    With ``workdir``, checkpoints go to ``workdir/checkpoint.pkl`` every ``checkpoint_every``
    steps (and at the end); a new Trainer on the same workdir resumes from the exact step.
    ``side``: optional (user features (n_users, F_u), item features (n_items, F_i)) given with
    the data (e.g. demographics and genres), broadcast as input channels of every entry.
    """

    def __init__(self, cfg: TrainConfig, train: Ratings, val: Ratings | None = None, workdir=None, resume: bool = True,
                 positions: Ratings | None = None, side=None):
        import jax
        import optax
        from flax import nnx

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
        self.model = build_model(cfg, len(self.values), side_dims=(0, 0) if side is None else
                                 tuple(f.shape[1] for f in self.side))
        self.graphdef, params, self.rest = nnx.split(self.model, nnx.Param, ...)
        sched = optax.cosine_decay_schedule(cfg.lr, max(cfg.steps, 1), alpha=cfg.lr_final_frac)
        tx = optax.adamw(sched, weight_decay=cfg.weight_decay) if cfg.weight_decay else optax.adam(sched)
        self.tx = optax.chain(optax.clip_by_global_norm(cfg.clip), tx) if cfg.clip > 0 else tx
        self.params = params
        # with cfg.ema the optimizer state carries the averaged weights: (optax state, average)
        self.opt_state = (self.tx.init(params), params) if cfg.ema else self.tx.init(params)
        self.key = jax.random.PRNGKey(cfg.seed)
        self.step_count = 0
        self.history: list[dict] = []
        self.elapsed = 0.0
        self.fns = _get_fns(self.graphdef, self.rest, self.tx, cfg, self.values)
        self.workdir = Path(workdir) if workdir is not None else None
        self.resumed = False
        if self.workdir is not None and resume and (self.workdir / CHECKPOINT_NAME).exists():
            self.load(self.workdir / CHECKPOINT_NAME)
            self.resumed = True
        self._full_batch = None
        self.best_params, self.best_step, self.best_val = None, None, None

    # --- state -----------------------------------------------------------------------------
    @property
    def eval_params(self):
        """The weights used for validation and prediction: the moving average when
        ``cfg.ema`` is on, else the current weights."""
        return self.opt_state[1] if self.cfg.ema else self.params

    def save(self, path=None):
        path = path or (self.workdir / CHECKPOINT_NAME)
        save_checkpoint(
            path, params=self.params, opt_state=self.opt_state, step=self.step_count, key=self.key,
            history=self.history, config=self.cfg.to_dict(), extra={"elapsed": self.elapsed},
        )
        return path

    def load(self, path):
        ck = load_checkpoint(path, params_template=self.params, opt_state_template=self.opt_state)
        saved = TrainConfig.from_dict(ck["config"])
        for name in ("model", "ch", "num_layers", "enc_layers", "dec_layers", "factor_dim", "side_features"):
            if getattr(saved, name) != getattr(self.cfg, name):
                raise ValueError(f"checkpoint {path} has {name}={getattr(saved, name)}, config has {getattr(self.cfg, name)}")
        self.params, self.opt_state = ck["params"], ck["opt_state"]
        self.key, self.step_count, self.history = ck["key"], ck["step"], list(ck["history"])
        self.elapsed = float(ck.get("extra", {}).get("elapsed", 0.0))

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
        return batch, (len(rows), len(cols))

    # --- loop ------------------------------------------------------------------------------
    def predict(self, context: Ratings, queries: Ratings, seed: int = 0, params=None, side=None):
        """Predictions for ``queries`` given ``context`` (the evaluation weights unless given).

        ``side``: side features of another data set (inductive use); default the trainer's own."""
        params = self.eval_params if params is None else params
        side = self.side if side is None else tuple(np.asarray(f, np.float32) for f in side)
        return predict(self.fns, params, context, queries, self.values, self.cfg, seed, positions=self.positions,
                       side=side)

    def validate(self) -> float | None:
        if self.val_data is None or len(self.val_data) == 0:
            return None
        return rmse(self.predict(self.train_data, self.val_data), self.val_data.ratings)

    def run(self, steps: int | None = None, progress: bool = False, stop_after: int | None = None, log=None,
            max_seconds: float | None = None):
        """Train until ``steps`` (default ``cfg.steps``) total steps are done.

        ``stop_after``: stop after this many steps in this call (for tests of interruption).
        ``max_seconds``: stop (after validating and checkpointing) once the run's total training
        time (including earlier resumed parts) passes this budget.
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
        losses = []
        while self.step_count < total:
            if stop_after is not None and done_here >= stop_after:
                break
            over = max_seconds is not None and base_elapsed + time.perf_counter() - t0 > max_seconds
            batch, sizes = self._batch(self.step_count)
            self.key, sub = jax.random.split(self.key)
            self.params, self.opt_state, loss = self.fns.step(self.params, self.opt_state, batch, sub, sizes)
            self.step_count += 1
            done_here += 1
            losses.append(loss)
            if bar is not None:
                bar.update(1)
            over = max_seconds is not None and base_elapsed + time.perf_counter() - t0 > max_seconds
            last = self.step_count == total or over
            if self.step_count % self.cfg.eval_every == 0 or last:
                tl = float(np.mean([float(x) for x in losses])) if losses else None
                losses = []
                val = self.validate()
                self.elapsed = base_elapsed + time.perf_counter() - t0
                rec = {"step": self.step_count, "train_loss": tl, "val_rmse": val, "elapsed": self.elapsed}
                if self.cfg.ema and val is not None:  # the current (not averaged) weights, for comparison
                    rec["val_rmse_current"] = rmse(self.predict(self.train_data, self.val_data, params=self.params),
                                                   self.val_data.ratings)
                if val is not None and (self.best_val is None or val < self.best_val):
                    self.best_params, self.best_step, self.best_val = self.eval_params, self.step_count, val
                self.history.append(rec)
                if bar is not None:
                    bar.set_postfix(loss=f"{tl:.4f}", val_rmse="-" if val is None else f"{val:.4f}")
                if log is not None:
                    log(rec)
            if self.workdir is not None and (self.step_count % self.cfg.checkpoint_every == 0 or last):
                self.elapsed = base_elapsed + time.perf_counter() - t0
                self.save()
            if over:
                break
        self.elapsed = base_elapsed + time.perf_counter() - t0
        if bar is not None:
            bar.close()
        return self.history

    def bias_rmse(self, context: Ratings | None = None, queries: Ratings | None = None) -> float | None:
        context = self.train_data if context is None else context
        queries = self.val_data if queries is None else queries
        if queries is None:
            return None
        return rmse(bias_baseline(context)(queries.users, queries.items), queries.ratings)
