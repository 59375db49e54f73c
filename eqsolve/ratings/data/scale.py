"""Rating scales: apply a model trained on one set of rating levels to ratings on another scale.

A model knows its training levels (``TrainConfig.levels``, e.g. 1, 2, 3, 4, 5). Ratings on
another numeric scale ``[lo, hi]`` (0.5..5 in half steps, 1..100, ...) are mapped onto them as
Hartford et al. (2018) did for their cross-dataset results: each input rating is placed
linearly on the levels' range and *binned* to the nearest level; the model's predictions
(expected ratings on the levels' range) are mapped back linearly to ``[lo, hi]``, so RMSE is
measured on the raw scale.

The linear map back is either the map of the levels' range onto ``[lo, hi]`` (``back=None``)
or, after ``fit_back(context ratings)``, the least-squares line ``raw = a + b * level`` through
the context's (binned level, raw rating) pairs: on a scale whose ratings do not fill its range
evenly (a 1..100 scale used as 10..90) the range map would stretch every deviation, the fitted
line does not. ``eqsolve evaluate`` fits it (``--map-back fit``, default) unless told
``--map-back range``. Either way predictions are clipped to ``[lo, hi]``.

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

    ``lo is None`` means the identity: the raw ratings already are model levels. ``back``:
    ``(a, b)`` of the fitted map back ``raw = a + b * level`` (see ``fit_back``), or None for the
    map of the levels' range onto ``[lo, hi]``.
    """

    levels: tuple
    lo: float | None = None
    hi: float | None = None
    back: tuple | None = None

    def __post_init__(self):
        object.__setattr__(self, "levels", tuple(float(v) for v in self.levels))
        if len(self.levels) < 2:
            raise ValueError(f"a rating scale needs at least two model levels, got {self.levels}")
        if (self.lo is None) != (self.hi is None):
            raise ValueError("give both ends of the raw scale (lo and hi) or neither")
        if self.lo is not None and not float(self.lo) < float(self.hi):
            raise ValueError(f"raw scale [{self.lo}, {self.hi}]: lo must be below hi")
        if self.back is not None and (self.identity or len(self.back) != 2 or not float(self.back[1]) > 0):
            raise ValueError(f"a fitted map back needs a raw scale and a positive slope, got {self.back}")

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
        how = (
            "mapped back linearly by the range"
            if self.back is None
            else f"mapped back by the fit raw = {self.back[0]:.4g} + {self.back[1]:.4g} x level"
        )
        return f"raw scale [{self.lo:g}, {self.hi:g}] binned onto the model's levels {lv}, predictions {how}"

    def fit_back(self, raw_ratings) -> "RatingScale":
        """This scale with the map back fitted on ``raw_ratings`` (the context): least squares
        of the raw rating on its binned level. Unchanged for the identity, and when the ratings
        fill a single level (no line to fit; the range map is kept, and ``describe`` says so)."""
        if self.identity:
            return self
        raw = np.asarray(raw_ratings, float)
        level = self.to_levels(raw).astype(float)
        if len(raw) < 2 or np.ptp(level) == 0:
            return replace(self, back=None)
        b, a = np.polyfit(level, raw, 1)
        return replace(self, back=(float(a), float(b))) if b > 0 else replace(self, back=None)

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
        """Model predictions (on the levels' range) -> the raw scale, linearly (the range map
        or the fitted one), clipped to ``[lo, hi]``."""
        p = np.asarray(predictions, float)
        if self.identity:
            return p
        if self.back is not None:
            return np.clip(self.back[0] + self.back[1] * p, self.lo, self.hi)
        lv = self.levels
        return np.clip(self.lo + (p - lv[0]) * (self.hi - self.lo) / (lv[-1] - lv[0]), self.lo, self.hi)

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
