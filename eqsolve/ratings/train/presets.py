"""Named training configurations, defined once: used by ``eqsolve train --preset``, the
benchmarks and the examples.

* ``self-supervised`` / ``factorized``: tuned on the validation split of MovieLens-100K u1.base
  (see benchmarks/movielens.py for their measured test RMSE). ``self-supervised`` uses the
  MovieLens-100K side features (u.user, u.item); ``self-supervised-plain`` is the same without.
* ``travel``: the default of ``eqsolve train``: the tuned self-supervised architecture, smaller,
  trained for transfer: a random mask rate per step (5-95% of the inputs hidden, so it learns
  from sparse and dense inputs), every rating of 20% of the rows and columns hidden per step
  (cold start), and user-/item-kNN estimates from the visible ratings as input channels
  (``knn_features``, :mod:`eqsolve.nn.neighbours`: the similar-user signal that pooling alone
  does not give). No side features, so it applies to any ratings matrix.
* ``paper-self-supervised``: the MovieLens-100K configuration of the authors' code
  (github.com/mravanba/deep_exchangeable_tensors, ``sparse_self_supervised.py``): 4 exchangeable
  layers of 128 channels, skip connections on the two middle ones, channel dropout 0.5, 10% of
  the inputs masked, 70% of the loss on the masked and 30% on the visible ratings, Adam 1e-3 at
  a constant rate, masked positions pooled as zeros (``positions_visible``). Differences: its
  L2 penalty (1e-5) is left out, dropout follows every hidden layer (the code: the 1st and 3rd),
  and the input has a hidden-indicator channel.
* ``paper-factorized``: the settings this code base has used as the paper's for the factorized
  autoencoder (0.5 channel dropout, 15% masking, Adam 1e-3, positions pooled); the authors'
  current ``sparse_factorized_autoencoder.py`` differs (250 channels, 50 factors, Adam 5e-3,
  attention pooling, which this code base does not have).
"""

from __future__ import annotations

from .config import TrainConfig

__all__ = ["PRESETS", "DEFAULT_PRESET", "config_from_preset", "preset_names"]

_SELF_SUPERVISED = dict(
    model="self-supervised",
    ch=64,
    num_layers=8,
    residual=True,
    dropout=0.1,
    lr=1e-2,
    lr_final_frac=0.05,
    mse_weight=1.0,
    steps=1700,
    eval_every=250,
    mask_rate=0.15,
    clip=1.0,
    positions_visible=False,
)

PRESETS: dict[str, dict] = {
    "self-supervised": dict(_SELF_SUPERVISED, side_features=True, side_scale=0.1),
    "self-supervised-plain": dict(_SELF_SUPERVISED),
    "factorized": dict(
        model="factorized",
        ch=64,
        enc_layers=5,
        dec_layers=3,
        residual=True,
        factor_dim=32,
        dropout=0.1,
        lr=1e-2,
        lr_final_frac=0.05,
        mse_weight=1.0,
        steps=3000,
        eval_every=250,
        mask_rate=0.15,
        clip=1.0,
        positions_visible=False,
    ),
    "travel": dict(
        _SELF_SUPERVISED,
        ch=32,
        num_layers=6,
        steps=4000,
        eval_every=200,
        mask_rate=0.05,
        mask_rate_max=0.95,
        cold_rate=0.2,
        knn_features=True,
    ),
    "paper-self-supervised": dict(
        model="self-supervised",
        ch=128,
        num_layers=4,
        residual=True,
        dropout=0.5,
        mask_rate=0.1,
        visible_loss_weight=0.3,
        lr=1e-3,
        lr_final_frac=1.0,
        steps=3000,
        eval_every=250,
        positions_visible=True,
    ),
    "paper-factorized": dict(
        model="factorized",
        ch=128,
        enc_layers=3,
        dec_layers=2,
        factor_dim=64,
        dropout=0.5,
        mask_rate=0.15,
        lr=1e-3,
        lr_final_frac=0.1,
        steps=3000,
        eval_every=250,
        positions_visible=True,
    ),
}
DEFAULT_PRESET = "travel"


def preset_names() -> list[str]:
    return list(PRESETS)


def config_from_preset(name: str = DEFAULT_PRESET, **overrides) -> TrainConfig:
    """The ``TrainConfig`` of preset ``name`` with ``overrides`` (TrainConfig fields) applied;
    ``None`` values are ignored. Unknown names and fields are a ``ValueError``."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    fields = TrainConfig.__dataclass_fields__
    bad = [k for k in overrides if k not in fields]
    if bad:
        raise ValueError(f"unknown TrainConfig field(s) {', '.join(map(repr, bad))}; fields: {', '.join(fields)}")
    kw = dict(PRESETS[name])
    kw.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig(**kw)
