"""benchmarks/scale.py: the trainer's step compiles from shapes alone, its memory grows with the
channels as the model says, and a timed step runs (tiny shape, one device)."""

import numpy as np
import pytest

from bench_scripts import load_benchmark


@pytest.mark.slow
def test_memory_model_and_timed_step():
    b = load_benchmark("scale")
    shape = (200, 100, 5000)
    lo = b.memory(shape, 4, 2, None)["total"]
    hi = b.memory(shape, 16, 2, None)["total"]
    assert hi > lo > 5000 * 4  # at least the entry arrays
    a, slope = b.fit_model(shape, 2, lo, hi, 4, 16)
    for ch, m in ((4, lo), (16, hi)):  # the fitted model reproduces what it was fitted to
        assert np.isclose(b.predict((a, slope, 0.0), shape, ch, 2, 1), m)
    assert b.predict((a, slope, 0.0), shape, 16, 2, 8) < hi / 4
    sec, loss = b.timed_steps(shape, 4, 2, None, repeats=1)
    assert sec > 0 and np.isfinite(loss)
