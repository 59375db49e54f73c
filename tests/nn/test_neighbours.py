"""Neighbourhood (kNN-style) entry features: a hand-computed case, a loop reference,
equivariance, no leak from hidden entries or padding, entry-sharded = one device."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from eqsolve.nn.neighbours import MAX_CELLS, neighbour_features


def _reference(values, visible, users, items, sizes, span, power=2.0, shrink=10.0, eps=1e-3):
    """Loop-by-loop transcription of the module docstring's formulas (numpy, float64)."""
    n, m = sizes
    r = np.asarray(values, float) * 4.0 / span
    vis = np.asarray(visible, float) > 0
    mu = r[vis].mean() if vis.any() else 0.0
    out = np.zeros((len(r), 4))
    for axis in range(2):
        own, other = (users, items) if axis == 0 else (items, users)
        size, osize = (n, m) if axis == 0 else (m, n)
        mean = np.array(
            [(r[vis & (own == a)].sum() + shrink * mu) / ((vis & (own == a)).sum() + shrink) for a in range(size)]
        )
        R = np.zeros((size, osize))
        O = np.zeros((size, osize))
        for e in np.flatnonzero(vis):
            R[own[e], other[e]] = r[e] - mean[own[e]]
            O[own[e], other[e]] = 1.0
        for e in range(len(r)):
            a, b = own[e], other[e]
            num = den = 0.0
            for c in range(size):
                if c == a or not O[c, b]:
                    continue
                na, nc = np.linalg.norm(R[a]), np.linalg.norm(R[c])
                co = float(O[a] @ O[c])
                s = (R[a] @ R[c]) / max(na * nc, 1e-12) * (co / (co + shrink) if co else 0.0)
                w = max(s, 0.0) ** power
                num += w * R[c, b]
                den += w
            out[e, 2 * axis] = num / (den + eps)
            out[e, 2 * axis + 1] = np.log1p(den)
    return out


def _random_matrix(seed, n=9, m=7, nnz=40):
    rng = np.random.default_rng(seed)
    flat = rng.choice(n * m, nnz, replace=False)
    users, items = (flat // m).astype(np.int32), (flat % m).astype(np.int32)
    values = rng.integers(1, 6, nnz).astype(np.float32)
    visible = (rng.random(nnz) < 0.75).astype(np.float32)
    return values, visible, users, items, (n, m)


def _features(values, visible, users, items, sizes, **kw):
    return np.asarray(neighbour_features(values, visible, (jnp.asarray(users), jnp.asarray(items)), sizes, **kw))


def test_two_users_by_hand():
    """u0 rates items (5, 1, 5), u1 rates (5, 1, ?): u1's only neighbour is u0; shrink 0, eps ~0.

    Means 11/3 and 3; centred rows R0 = (4/3, -8/3, 4/3), R1 = (2, -2, 0); cos = 8 / (sqrt(96)/3 *
    sqrt(8)) = sqrt(3)/2, so a = 3/4, and u1's user-kNN deviation on item 2 is u0's 4/3 with
    evidence log(1 + 3/4). Item side for (u1, item 2): items 0 and 1 are rated by both users.
    """
    users = np.array([0, 0, 0, 1, 1, 1], np.int32)
    items = np.array([0, 1, 2, 0, 1, 2], np.int32)
    values = np.array([5, 1, 5, 5, 1, 0], np.float32)  # the last entry is a query
    visible = np.array([1, 1, 1, 1, 1, 0], np.float32)
    f = _features(values, visible, users, items, (2, 3), span=4.0, shrink=0.0, eps=1e-9)
    assert f[5, 0] == pytest.approx(4 / 3, rel=1e-5)
    assert f[5, 1] == pytest.approx(np.log(1.75), rel=1e-5)
    # item side by hand: item means 5, 1, 5; centred columns c0 = (0, 0), c1 = (0, 0): zero
    # vectors, so no similarity reaches item 2 and its item-kNN evidence is 0
    assert f[5, 2] == pytest.approx(0.0, abs=1e-6) and f[5, 3] == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(
        f, _reference(values, visible, users, items, (2, 3), 4.0, shrink=0.0, eps=1e-9), atol=1e-5
    )


@pytest.mark.parametrize("seed,shrink", [(0, 10.0), (1, 10.0), (2, 0.0)])
def test_equals_loop_reference(seed, shrink):
    """Also with no shrinkage, where some user pairs share no item (similarity 0, not NaN)."""
    values, visible, users, items, sizes = _random_matrix(seed)
    f = _features(values, visible, users, items, sizes, span=4.0, shrink=shrink)
    assert np.isfinite(f).all()
    np.testing.assert_allclose(f, _reference(values, visible, users, items, sizes, 4.0, shrink=shrink), atol=2e-5)


def test_equivariant_to_user_item_and_entry_permutations():
    values, visible, users, items, sizes = _random_matrix(3)
    rng = np.random.default_rng(0)
    pu, pi, pe = rng.permutation(sizes[0]), rng.permutation(sizes[1]), rng.permutation(len(values))
    f = _features(values, visible, users, items, sizes, span=4.0)
    g = _features(values[pe], visible[pe], pu[users[pe]], pi[items[pe]], sizes, span=4.0)
    np.testing.assert_allclose(g, f[pe], atol=1e-5)


def test_hidden_entries_and_padding_do_not_leak():
    """A query's (or padding's) value never reaches any feature; padding adds nothing."""
    values, visible, users, items, sizes = _random_matrix(4)
    f = _features(values, visible, users, items, sizes, span=4.0)
    changed = np.where(visible > 0, values, 99.0).astype(np.float32)
    np.testing.assert_allclose(_features(changed, visible, users, items, sizes, span=4.0), f, atol=1e-6)
    pad = 5
    padded = [np.concatenate([a, np.zeros(pad, a.dtype)]) for a in (values, visible, users, items)]
    np.testing.assert_allclose(_features(*padded, sizes, span=4.0)[: len(values)], f, atol=1e-6)


def test_scale_free():
    """Ratings on 1..100 with span 99 give the features of the same ratings on a 1..5 scale
    mapped linearly (deviations in units of a quarter of the range; similarities unchanged)."""
    values, visible, users, items, sizes = _random_matrix(5)
    f = _features(values, visible, users, items, sizes, span=4.0)
    g = _features(1 + (values - 1) * 99 / 4, visible, users, items, sizes, span=99.0)
    np.testing.assert_allclose(g, f, atol=1e-4)


def test_entry_sharded_equals_one_device():
    """Entries split over a named axis (here a vmapped one, whose psum sums the shards) give
    each entry the single-device features."""
    values, visible, users, items, sizes = _random_matrix(6, nnz=40)
    f = _features(values, visible, users, items, sizes, span=4.0)
    shards = [a.reshape(4, 10) for a in (values, visible, users, items)]
    fn = jax.vmap(
        lambda v, w, u, i: neighbour_features(v, w, (u, i), sizes, span=4.0, axis_name="entries"),
        axis_name="entries",
    )
    g = np.asarray(fn(*map(jnp.asarray, shards))).reshape(40, 4)
    np.testing.assert_allclose(g, f, atol=1e-5)


def test_too_large_a_matrix_is_refused():
    big = (MAX_CELLS // 1000 + 1, 1000)
    one = np.zeros(1, np.int32)
    with pytest.raises(ValueError, match="dense"):
        neighbour_features(np.ones(1), np.ones(1), (one, one), big, span=4.0)
