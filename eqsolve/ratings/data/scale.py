"""Rating scales: apply a model trained on one set of rating levels to ratings on another scale.

A model knows its training levels (``TrainConfig.levels``, e.g. 1, 2, 3, 4, 5). Ratings on
another numeric scale ``[lo, hi]`` (0.5..5 in half steps, 1..100, ...) are mapped onto them as
Hartford et al. (2018) did for their cross-dataset results: each input rating is placed
linearly on the levels' range and *binned* to the nearest level; the model's predictions
(expected ratings on the levels' range) are mapped back linearly to ``[lo, hi]``, so RMSE is
measured on the raw scale.

``RatingScale.detect(values, levels)``: no mapping when every value is one of the levels, else
the range of the values. ``parse_scale("0.5:5" | "auto" | "levels")`` reads the command-line
override.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .ratings import Ratings

__all__ = ["RatingScale", "parse_scale"]


@dataclass(frozen=True)
class RatingScale:
    """The raw scale ``[lo, hi]`` of some ratings and the model ``levels`` it maps onto.

    ``lo is None`` means the identity: the raw ratings already are model levels.
    """

    levels: tuple
    lo: float | None = None
    hi: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "levels", tuple(float(v) for v in self.levels))
        if len(self.levels) < 2:
            raise ValueError(f"a rating scale needs at least two model levels, got {self.levels}")
        if (self.lo is None) != (self.hi is None):
            raise ValueError("give both ends of the raw scale (lo and hi) or neither")
        if self.lo is not None and not float(self.lo) < float(self.hi):
            raise ValueError(f"raw scale [{self.lo}, {self.hi}]: lo must be below hi")

    @property
    def identity(self) -> bool:
        return self.lo is None

    @classmethod
    def detect(cls, values, levels) -> "RatingScale":
        """Identity when every value is (to float tolerance) one of ``levels``; else the range
        ``[min(values), max(values)]``."""
        values = np.unique(np.asarray(values, float))
        lv = np.asarray(levels, float)
        if len(values) and np.all(np.isclose(values[:, None], lv[None, :]).any(axis=1)):
            return cls(tuple(lv))
        if len(values) < 2:
            raise ValueError(
                f"cannot detect a rating scale from the single value(s) {values.tolist()}; "
                f"give it explicitly (e.g. --scale LO:HI)"
            )
        return cls(tuple(lv), float(values.min()), float(values.max()))

    def describe(self) -> str:
        lv = f"{self.levels[0]:g}..{self.levels[-1]:g} ({len(self.levels)} levels)"
        if self.identity:
            return f"the model's levels {lv}"
        return f"raw scale [{self.lo:g}, {self.hi:g}] binned onto the model's levels {lv}"

    def to_levels(self, ratings) -> np.ndarray:
        """Raw ratings -> the nearest model level (after the linear map); float32 values."""
        r = np.asarray(ratings, float)
        lv = np.asarray(self.levels)
        if self.identity:
            return r.astype(np.float32)
        bad = (r < self.lo - 1e-9) | (r > self.hi + 1e-9)
        if np.any(bad):
            raise ValueError(
                f"rating {r[np.argmax(bad)]:g} lies outside the raw scale [{self.lo:g}, {self.hi:g}]; "
                f"widen it (--scale LO:HI)"
            )
        x = lv[0] + (r - self.lo) * (lv[-1] - lv[0]) / (self.hi - self.lo)
        return lv[np.abs(x[:, None] - lv[None, :]).argmin(axis=1)].astype(np.float32)

    def from_model(self, predictions) -> np.ndarray:
        """Model predictions (on the levels' range) -> the raw scale, linearly."""
        p = np.asarray(predictions, float)
        if self.identity:
            return p
        lv = self.levels
        return self.lo + (p - lv[0]) * (self.hi - self.lo) / (lv[-1] - lv[0])

    def ratings_to_levels(self, r: Ratings) -> Ratings:
        """``r`` with its ratings binned onto the model levels (same entries and ids)."""
        return replace(r, ratings=self.to_levels(r.ratings))


def parse_scale(text: str | None, values, levels) -> RatingScale:
    """The scale for ``--scale TEXT``: ``None``/``"auto"``: detected from ``values``;
    ``"levels"``: the identity (ratings must be model levels); ``"LO:HI"``: that raw range."""
    if text is None or text == "auto":
        return RatingScale.detect(values, levels)
    if text == "levels":
        return RatingScale(tuple(levels))
    lo, sep, hi = text.partition(":")
    try:
        if not sep:
            raise ValueError
        lo, hi = float(lo), float(hi)
    except ValueError:
        raise ValueError(f"--scale {text!r}: expected 'auto', 'levels' or LO:HI (e.g. 0.5:5 or 1:100)") from None
    return RatingScale(tuple(levels), lo, hi)
