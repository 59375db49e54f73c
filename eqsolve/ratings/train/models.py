"""The model factory: a ``TrainConfig`` -> a Flax NNX exchangeable ratings model."""

from __future__ import annotations

from .config import TrainConfig

__all__ = ["build_model"]


def build_model(cfg: TrainConfig, n_levels: int, seed: int | None = None, side_dims: tuple = (0, 0)):
    """The model of ``cfg``; ``side_dims``: number of given (data) features per user and per item."""
    from flax import nnx

    from ...nn.exchangeable import FactorizedExchangeable, SelfSupervisedExchangeable
    from ...nn.neighbours import NEIGHBOUR_CHANNELS

    rngs = nnx.Rngs(params=cfg.seed if seed is None else seed)
    k = int(cfg.count_features) + int(cfg.random_features)
    side = tuple(k + int(d) for d in side_dims) if k or any(side_dims) else ()
    entry_in = NEIGHBOUR_CHANNELS if cfg.knn_features else 0
    if cfg.model in ("self-supervised", "selfsup", "masked"):
        return SelfSupervisedExchangeable(
            n_levels,
            ch=cfg.ch,
            num_layers=cfg.num_layers,
            dropout=cfg.dropout,
            side_dims=side,
            residual=cfg.residual,
            norm=cfg.norm,
            side_scale=cfg.side_scale,
            entry_in=entry_in,
            rngs=rngs,
        )
    if cfg.model in ("factorized", "autoencoder"):
        return FactorizedExchangeable(
            n_levels,
            ch=cfg.ch,
            enc_layers=cfg.enc_layers,
            dec_layers=cfg.dec_layers,
            factor_dim=cfg.factor_dim,
            dropout=cfg.dropout,
            side_dims=side,
            residual=cfg.residual,
            norm=cfg.norm,
            side_scale=cfg.side_scale,
            entry_in=entry_in,
            rngs=rngs,
        )
    raise ValueError(f"unknown model {cfg.model!r}; use 'self-supervised' or 'factorized'")
