"""Argument types that validate command-line values at the edge: a bad value is refused by
argparse with a message that names the option's rule and the value (never a traceback or a
silent NaN later). Example: ``p.add_argument("--ch", type=int_at_least(1))``."""

from __future__ import annotations

import argparse
import math

__all__ = ["int_at_least", "float_in", "levels_list"]


def int_at_least(lo: int):
    """An argparse type: an integer >= ``lo``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {text!r}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {value}")
        return value

    parse.__name__ = f"integer >= {lo}"
    return parse


def float_in(lo: float = -math.inf, hi: float = math.inf, lo_open: bool = False, hi_open: bool = False):
    """An argparse type: a finite number in the interval [lo, hi] (open ends as asked)."""
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    rule = f"a finite number in {left}{lo:g}, {hi:g}{right}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {rule}, got {text!r}") from None
        ok = (
            math.isfinite(value)
            and (value > lo if lo_open else value >= lo)
            and (value < hi if hi_open else value <= hi)
        )
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {rule}, got {text!r}")
        return value

    parse.__name__ = rule
    return parse


def levels_list(text: str) -> str:
    """An argparse type for a rating scale ``1,2,3,4,5``: finite, distinct, increasing values
    (returned as the text; the config parses it)."""
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers such as 1,2,3,4,5, got {text!r}") from None
    if len(values) < 2 or not all(math.isfinite(v) for v in values) or any(b <= a for a, b in zip(values, values[1:])):
        raise argparse.ArgumentTypeError(
            f"expected at least two finite, increasing values such as 1,2,3,4,5, got {text!r}"
        )
    return text
