"""Checks of a ``TrainConfig`` before any work: every field in its range, named with its
command-line option (the CLI refuses the same values earlier, in argparse)."""

from __future__ import annotations

import math

from .checkpoint import option_of

__all__ = ["check_config"]

_AT_LEAST_1 = (
    "ch",
    "num_layers",
    "enc_layers",
    "dec_layers",
    "factor_dim",
    "steps",
    "eval_every",
    "checkpoint_every",
    "sample_rows",
    "sample_cols",
    "eval_passes",
    "eval_samples",
)
_AT_LEAST_0 = ("random_features", "seed")
# name: (low, high, low open, high open)
_FLOATS = {
    "lr": (0, math.inf, True, False),
    "dropout": (0, 1, False, True),
    "mask_rate": (0, 1, True, True),
    "clip": (0, math.inf, False, False),
    "lr_final_frac": (0, 1, False, False),
    "weight_decay": (0, math.inf, False, False),
    "mse_weight": (0, math.inf, False, False),
    "visible_loss_weight": (0, 1, False, False),  # share of the loss: (1 - w) masked + w visible
    "ema": (0, 1, False, True),
    "mask_rate_max": (0, 1, False, True),
    "cold_rate": (0, 1, False, True),
}


def check_config(cfg) -> None:
    """Raise ValueError naming the first field of ``cfg`` out of its range."""
    for name in _AT_LEAST_1 + _AT_LEAST_0:
        v = getattr(cfg, name)
        lo = 1 if name in _AT_LEAST_1 else 0
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"TrainConfig.{name} must be an integer >= {lo}, got {v!r} ({option_of(name)})")
    for name, (lo, hi, lo_open, hi_open) in _FLOATS.items():
        v = getattr(cfg, name)
        ok = (
            isinstance(v, (int, float))
            and not isinstance(v, bool)
            and math.isfinite(v)
            and (v > lo if lo_open else v >= lo)
            and (v < hi if hi_open else v <= hi)
        )
        if not ok:
            interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
            raise ValueError(f"TrainConfig.{name} must be a finite number in {interval}, got {v!r} ({option_of(name)})")
    if cfg.sampler not in ("none", "uniform", "conditional"):
        raise ValueError(f"TrainConfig.sampler must be 'none', 'uniform' or 'conditional', got {cfg.sampler!r}")
    levels = tuple(cfg.levels)
    if levels and (not all(math.isfinite(x) for x in levels) or any(b <= a for a, b in zip(levels, levels[1:]))):
        raise ValueError(f"TrainConfig.levels must be finite and increasing, got {list(levels)} (--levels)")
