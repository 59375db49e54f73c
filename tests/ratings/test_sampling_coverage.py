"""Uniform / conditional sub-matrix samplers and test-time coverage."""

import numpy as np
from hypothesis import given, settings, strategies as st

from eqsolve.ratings.data import Ratings
from eqsolve.ratings.data.sampling import coverage_blocks, entries_in, localize, sample_conditional, sample_uniform


def _random(n, m, density, seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((n, m)) < density
    u, i = np.nonzero(mask)
    return Ratings(u, i, rng.integers(1, 6, len(u)), n, m)


def test_uniform_sample_is_exactly_the_intersection():
    r = _random(50, 60, 0.1, 0)
    rows, cols, ent = sample_uniform(r, 20, 25, np.random.default_rng(1))
    assert len(rows) == 20 and len(cols) == 25 and len(set(rows)) == 20
    inside = np.isin(r.users, rows) & np.isin(r.items, cols)
    assert np.array_equal(np.sort(ent), np.flatnonzero(inside))
    lu, li = localize(r, rows, cols, ent)
    assert lu.max() < 20 and li.max() < 25
    assert np.array_equal(rows[lu], r.users[ent]) and np.array_equal(cols[li], r.items[ent])


def test_conditional_sample_picks_columns_with_entries_in_sampled_rows():
    r = _random(200, 1000, 0.01, 2)
    rng = np.random.default_rng(3)
    rows, cols, ent = sample_conditional(r, 20, 50, rng)
    in_rows = np.isin(r.users, rows)
    has = set(r.items[in_rows].tolist())
    assert len(cols) == 50 and set(cols.tolist()) <= has  # all chosen columns have entries
    # denser than a uniform sample of the same size (on average)
    dens_c = np.mean([len(sample_conditional(r, 20, 50, rng)[2]) for _ in range(20)])
    dens_u = np.mean([len(sample_uniform(r, 20, 50, rng)[2]) for _ in range(20)])
    assert dens_c > 3 * dens_u
    # fewer columns with entries than asked: all of them are taken, topped up
    rows, cols, ent = sample_conditional(r, 2, 900, rng)
    assert len(cols) == 900 and set(r.items[np.isin(r.users, rows)].tolist()) <= set(cols.tolist())


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    m=st.integers(1, 40),
    br=st.integers(1, 15),
    bc=st.integers(1, 15),
    passes=st.integers(1, 3),
    seed=st.integers(0, 10**6),
)
def test_coverage_blocks_predict_every_test_entry_passes_times(n, m, br, bc, passes, seed):
    q = _random(n, m, 0.3, seed)
    count = np.zeros(len(q), int)
    for rows, cols in coverage_blocks(q, br, bc, np.random.default_rng(seed), passes):
        assert len(rows) <= br and len(cols) <= bc
        count[entries_in(q, rows, cols)] += 1
    assert np.all(count == passes)
