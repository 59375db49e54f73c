"""Solving from the command line: the ``--max-seconds`` option and a progress bar (tqdm, on a
terminal only) over the distinct blocks when the estimated work is more than a moment."""

from __future__ import annotations

import argparse
import sys

PROGRESS_SECONDS = 2.0  # estimated work from which a terminal shows the estimate and a bar


def add_max_seconds(p: argparse.ArgumentParser) -> None:
    from ..solve import MAX_SECONDS

    p.add_argument(
        "--max-seconds",
        type=_max_seconds,
        default=MAX_SECONDS,
        metavar="S",
        help=f"refuse a block whose estimated solve time is over S seconds (default {MAX_SECONDS:g}; 0 for no limit)",
    )


def _max_seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-seconds must be a number of seconds, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"--max-seconds must be a finite number >= 0 (0: no limit), got {text!r}")
    return None if value == 0 else value


def solve(rep, method: str, cache: bool, max_seconds: float | None, stream=None):
    """``solve_basis`` with the limit, and on a terminal a line with the estimate and a
    progress bar over the distinct blocks when the estimated work is over PROGRESS_SECONDS."""
    from ..solve import estimate_rep, solve_basis
    from ..solve.estimate import check_work, format_seconds

    stream = stream or sys.stderr
    ests = [e for _, e in estimate_rep(rep, method) if e is not None]
    for e in ests:  # refuse before solving anything (not after the first blocks)
        check_work(e, max_seconds)
    total = sum(e.seconds for e in ests)
    if total < PROGRESS_SECONDS or not stream.isatty():
        return solve_basis(rep, method=method, cache=cache, max_seconds=max_seconds)
    from tqdm import tqdm

    worst = max(ests, key=lambda e: e.seconds)
    print(f"estimated work: {format_seconds(total)} (largest block: {worst.describe()})", file=stream)
    bar = tqdm(total=round(total, 1), unit="est. s", file=stream, leave=False)
    last = [None]

    def progress(i, n, est):
        if last[0] is not None:
            bar.update(round(last[0].seconds, 1))
        last[0] = est
        bar.set_description(f"block {min(i + 1, n)}/{n}")

    try:
        return solve_basis(rep, method=method, cache=cache, max_seconds=max_seconds, progress=progress)
    finally:
        bar.close()
