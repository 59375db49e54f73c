"""Jitted training step and prediction functions of an exchangeable ratings model.

Training is self-supervised: each step hides a random fraction (``mask_rate``) of the
observed training ratings and the model predicts them from the rest (cross-entropy over rating
levels; the prediction is the expected rating). A batch is a dict of flat entry arrays
(``u``, ``i``, ``level``, ``valid``, ``fixed`` for training; ``hidden``, ``w`` for prediction)
plus the static matrix ``sizes`` (n_rows, n_cols).
"""

from __future__ import annotations

from .config import TrainConfig

__all__ = ["get_fns", "training_mask"]

_FNS_CACHE: dict = {}
# config fields the jitted functions do not read (the learning rate is an argument of the step):
# trainers that differ only in these share compiled functions (e.g. ensemble members' seeds)
_NOT_TRACED = frozenset(
    {
        "seed",
        "steps",
        "eval_every",
        "checkpoint_every",
        "eval_passes",
        "sampler",
        "sample_rows",
        "sample_cols",
        "eval_samples",
        "lr",
        "lr_final_frac",
    }
)


def get_fns(graphdef, rest, tx, cfg: "TrainConfig", values, mesh=None):
    """Reuse jitted functions across Trainers with the same graph, config, levels and mesh.

    ``mesh``: a 1-D device mesh (``eqsolve.runtime.sharded.entry_mesh``) to split the entries
    over (:mod:`.sharded`), or None for one device."""
    import json

    def make():
        if mesh is None:
            return _Fns(graphdef, rest, tx, cfg, values)
        from .sharded import ShardedFns

        return ShardedFns(_Fns(graphdef, rest, tx, cfg, values, mesh), mesh)

    traced = {k: v for k, v in cfg.to_dict().items() if k not in _NOT_TRACED}
    try:
        key = (graphdef, json.dumps(traced, sort_keys=True), tuple(float(v) for v in values), mesh)
        hash(key)
    except TypeError:
        return make()
    if key not in _FNS_CACHE:
        if len(_FNS_CACHE) > 32:
            _FNS_CACHE.clear()
        _FNS_CACHE[key] = make()
    return _FNS_CACHE[key]


def training_mask(key, kmask, cfg: TrainConfig, users, items, sizes):
    """(nnz,) float 0/1: the entries hidden (and predicted) in one training step.

    Each entry is hidden with probability ``cfg.mask_rate``, or, when ``cfg.mask_rate_max`` is
    above it, with a probability drawn once per step uniformly from [mask_rate, mask_rate_max].
    With ``cfg.cold_rate`` > 0 every entry of a random ``cold_rate`` fraction of the rows and of
    the columns is hidden as well (those rows / columns have no observed entry: cold start).
    ``kmask`` draws the entries (as before these options existed); ``key`` the rate and the rows.
    """
    import jax
    import jax.numpy as jnp

    rate = cfg.mask_rate
    if cfg.mask_rate_max > cfg.mask_rate:  # a random density per step
        rate = jax.random.uniform(jax.random.fold_in(key, 1), (), minval=cfg.mask_rate, maxval=cfg.mask_rate_max)
    masked = jax.random.bernoulli(kmask, rate, users.shape).astype(jnp.float32)
    if cfg.cold_rate > 0:  # every rating of some rows and some columns hidden: cold start
        ku, ki = jax.random.split(jax.random.fold_in(key, 2))
        cold_u = jax.random.bernoulli(ku, cfg.cold_rate, (sizes[0],))[users]
        cold_i = jax.random.bernoulli(ki, cfg.cold_rate, (sizes[1],))[items]
        masked = jnp.maximum(masked, (cold_u | cold_i).astype(jnp.float32))
    return masked


class _Fns:
    """Jitted step / predict functions for a given model graph and optimizer."""

    def __init__(self, graphdef, rest, tx, cfg: TrainConfig, values, mesh=None):
        import jax
        import jax.numpy as jnp
        import optax
        from flax import nnx

        from ...nn.exchangeable import encode_ratings, expected_rating
        from ...nn.neighbours import neighbour_features
        from ...nn.sharded import entry_parallel
        from ...runtime.sharded import ENTRY_AXIS, cross_device_sum

        K = len(values)
        vals = jnp.asarray(values, jnp.float32)
        span = max(float(max(values)) - float(min(values)), 1e-6)  # the levels' range (kNN features)

        def forward_local(params, x, index, sizes, weights, key, deterministic, fkey=None, given=None, axis_name=None):
            model = nnx.merge(graphdef, params, rest)
            if cfg.knn_features:  # from the visible ratings: contributing and not hidden
                visible = weights * (1.0 - x[:, K])
                rating = x[:, :K] @ vals
                feats = neighbour_features(rating, visible, index, sizes, span=span, axis_name=axis_name)
                x = jnp.concatenate([x, feats], axis=1)
            side = None
            if cfg.count_features or cfg.random_features or given is not None:
                side = []
                for a in range(2):
                    parts = [] if given is None else [given[a]]
                    if cfg.count_features:  # log(1 + number of contributing entries) per row / column
                        cnt = cross_device_sum(jax.ops.segment_sum(weights, index[a], num_segments=sizes[a]), axis_name)
                        parts.append(jnp.log1p(cnt)[:, None] / 5.0)
                    if cfg.random_features:  # equivariant in distribution: i.i.d. per user / item
                        parts.append(jax.random.normal(jax.random.fold_in(fkey, a), (sizes[a], cfg.random_features)))
                    side.append(jnp.concatenate(parts, axis=1))
            return model(x, index, sizes, weights, key=key, deterministic=deterministic, side=side, axis_name=axis_name)

        def forward(params, x, index, sizes, weights, key, deterministic, fkey=None, given=None):
            """The model on all entries; with a mesh, entries split over it (pools psum'd)."""
            if mesh is None:
                return forward_local(params, x, index, sizes, weights, key, deterministic, fkey, given)
            run = entry_parallel(
                lambda r, e: forward_local(
                    r["p"],
                    e["x"],
                    e["index"],
                    sizes,
                    e["w"],
                    r["key"],
                    deterministic,
                    r["fkey"],
                    r["given"],
                    ENTRY_AXIS,
                ),
                mesh,
            )
            return run({"p": params, "key": key, "fkey": fkey, "given": given}, {"x": x, "index": index, "w": weights})

        def loss_fn(params, batch, key, sizes):
            kmask, kdrop, kfeat = jax.random.split(key, 3)
            valid = batch["valid"]  # 1: a training rating; 0: padding or a known position
            fixed = batch["fixed"]  # 1: a position whose rating is unknown (always hidden)
            masked = training_mask(key, kmask, cfg, batch["u"], batch["i"], sizes) * valid
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

        def step(params, state, batch, key, sizes, lr):
            """One update; ``lr``: this step's learning rate (``tx`` is the optimizer without it)."""
            opt_state, avg = state if cfg.ema else (state, None)
            loss, grads = jax.value_and_grad(loss_fn)(params, batch, key, sizes)
            updates, opt_state = tx.update(grads, opt_state, params)
            params = optax.apply_updates(params, jax.tree.map(lambda u: -lr * u, updates))
            if not cfg.ema:
                return params, opt_state, loss
            avg = jax.tree.map(lambda a, p: cfg.ema * a + (1.0 - cfg.ema) * p, avg, params)
            return params, (opt_state, avg), loss

        def pred(params, batch, sizes, fkey):
            x = encode_ratings(batch["level"], batch["hidden"], K)
            logits = forward(
                params, x, (batch["u"], batch["i"]), sizes, batch["w"], None, True, fkey, batch.get("side")
            )
            return expected_rating(logits, vals)

        self.step = jax.jit(step, static_argnums=(4,))
        self.pred = jax.jit(pred, static_argnums=(2,))
