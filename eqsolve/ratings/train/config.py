"""The training configuration of the exchangeable ratings models (one dataclass, JSON-able)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["TrainConfig"]


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
    mask_rate_max: float = 0.0  # > mask_rate: each step hides a fraction drawn uniformly from
    # [mask_rate, mask_rate_max], so the model also learns from sparse inputs (density shift)
    cold_rate: float = 0.0  # each step also hides every rating of this fraction of the rows and
    # of the columns (trains predictions for users / items with no observed rating: cold start)
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
    knn_features: bool = False  # user- and item-kNN estimates from the visible ratings as extra
    # input channels of every entry (eqsolve.nn.neighbours; dense N x M: ML-100K-sized matrices)
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
