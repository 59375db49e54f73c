"""Sparse exchangeable layers: dense reference, equivariance, empty rows, dropout, models."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve.nn.exchangeable import (
    ExchangeableLinear,
    FactorizedExchangeable,
    SelfSupervisedExchangeable,
    channel_dropout,
    encode_ratings,
    exchangeable_linear,
    expected_rating,
    kept_subsets,
    pool_mean,
    subset_label,
)


def _params(rng, cin, cout, ndim=2):
    p = {subset_label(k): rng.normal(size=(cin, cout)).astype(np.float32) for k in kept_subsets(ndim)}
    p["bias"] = rng.normal(size=(cout,)).astype(np.float32)
    return {k: jnp.asarray(v) for k, v in p.items()}


def _dense_reference(p, X):
    """out = X W1 + rowmean W2 + colmean W3 + allmean W4 + b on a full (N, M, C) tensor."""
    out = X @ p["keep_0_1"]
    out = out + X.mean(axis=1, keepdims=True) @ p["keep_0"]
    out = out + X.mean(axis=0, keepdims=True) @ p["keep_1"]
    out = out + X.mean(axis=(0, 1), keepdims=True) @ p["keep"]
    return out + p["bias"]


def test_subsets_are_the_2_to_the_D_pooling_patterns():
    for d in (1, 2, 3):
        subs = kept_subsets(d)
        assert len(subs) == 2**d == len(set(subs))
    assert kept_subsets(2) == [(0, 1), (0,), (1,), ()]


def test_sparse_layer_equals_dense_reference_on_full_matrix():
    rng = np.random.default_rng(0)
    N, M, cin, cout = 3, 4, 2, 5
    p = _params(rng, cin, cout)
    X = rng.normal(size=(N, M, cin)).astype(np.float32)
    ref = np.asarray(_dense_reference(p, jnp.asarray(X)))
    uu, ii = np.meshgrid(np.arange(N), np.arange(M), indexing="ij")
    order = rng.permutation(N * M)  # entries in arbitrary order
    u, i = uu.ravel()[order], ii.ravel()[order]
    out = np.asarray(exchangeable_linear(p, jnp.asarray(X[u, i]), (jnp.asarray(u), jnp.asarray(i)), (N, M)))
    np.testing.assert_allclose(out, ref[u, i], rtol=1e-5, atol=1e-5)
    rows = pool_mean(jnp.asarray(X[u, i]), (jnp.asarray(u), jnp.asarray(i)), (N, M), (0,))
    np.testing.assert_allclose(np.asarray(rows), X.mean(axis=1)[u], rtol=1e-5, atol=1e-6)


def test_three_axis_tensor_matches_dense_reference():
    rng = np.random.default_rng(1)
    shape, cin, cout = (2, 3, 4), 2, 3
    p = _params(rng, cin, cout, ndim=3)
    X = rng.normal(size=shape + (cin,)).astype(np.float32)
    ref = np.zeros(shape + (cout,), np.float32) + np.asarray(p["bias"])
    for kept in kept_subsets(3):
        pooled_axes = tuple(a for a in range(3) if a not in kept)
        pooled = X.mean(axis=pooled_axes, keepdims=True) if pooled_axes else X
        ref = ref + pooled @ np.asarray(p[subset_label(kept)])
    idx = np.indices(shape).reshape(3, -1)
    out = exchangeable_linear(p, jnp.asarray(X.reshape(-1, cin)), tuple(jnp.asarray(a) for a in idx), shape)
    np.testing.assert_allclose(np.asarray(out), ref.reshape(-1, cout), rtol=1e-4, atol=1e-4)


def _random_sparse(rng, N, M, density=0.4, C=3):
    mask = rng.random((N, M)) < density
    u, i = np.nonzero(mask)
    x = rng.normal(size=(len(u), C)).astype(np.float32)
    return u, i, x


def test_layer_is_equivariant_to_user_and_item_permutations():
    rng = np.random.default_rng(2)
    N, M = 7, 9
    u, i, x = _random_sparse(rng, N, M)
    p = _params(rng, 3, 4)
    f = lambda u, i, x: np.asarray(exchangeable_linear(p, jnp.asarray(x), (jnp.asarray(u), jnp.asarray(i)), (N, M)))
    base = f(u, i, x)
    pu, pi = rng.permutation(N), rng.permutation(M)
    # relabel users and items: every entry keeps its output
    np.testing.assert_allclose(f(pu[u], pi[i], x), base, rtol=1e-5, atol=1e-5)
    # reorder entries: outputs are reordered the same way
    order = rng.permutation(len(u))
    np.testing.assert_allclose(f(u[order], i[order], x[order]), base[order], rtol=1e-5, atol=1e-5)
    # but the layer is not invariant to moving one entry to another row with a different pool
    u2 = u.copy()
    u2[0] = (u[0] + 1) % N
    assert not np.allclose(f(u2, i, x), base)


def test_empty_rows_columns_and_zero_weights_give_finite_outputs():
    rng = np.random.default_rng(3)
    u, i, x = _random_sparse(rng, 4, 5)
    p = _params(rng, 3, 2)
    idx = (jnp.asarray(u), jnp.asarray(i))
    out = exchangeable_linear(p, jnp.asarray(x), idx, (40, 50))  # most rows/cols empty
    assert np.all(np.isfinite(np.asarray(out)))
    out0 = exchangeable_linear(p, jnp.asarray(x), idx, (4, 5), jnp.zeros(len(u)))  # nothing pools
    assert np.all(np.isfinite(np.asarray(out0)))
    # with no contributing entries the pools are 0: only the identity term and bias remain
    np.testing.assert_allclose(
        np.asarray(out0), x @ np.asarray(p["keep_0_1"]) + np.asarray(p["bias"]), rtol=1e-5, atol=1e-5
    )
    grads = jax.grad(lambda xx: exchangeable_linear(p, xx, idx, (40, 50)).sum())(jnp.asarray(x))
    assert np.all(np.isfinite(np.asarray(grads)))


def test_zero_weight_entries_are_queried_but_do_not_pool():
    rng = np.random.default_rng(4)
    u, i, x = _random_sparse(rng, 6, 6, density=0.6)
    p = _params(rng, 3, 2)
    w = np.ones(len(u), np.float32)
    w[:3] = 0.0
    idx = (jnp.asarray(u), jnp.asarray(i))
    a = np.asarray(exchangeable_linear(p, jnp.asarray(x), idx, (6, 6), jnp.asarray(w)))
    x2 = x.copy()
    x2[:3] = rng.normal(size=(3, 3))  # change the non-contributing entries
    b = np.asarray(exchangeable_linear(p, jnp.asarray(x2), idx, (6, 6), jnp.asarray(w)))
    np.testing.assert_allclose(a[3:], b[3:], rtol=1e-5, atol=1e-5)
    assert not np.allclose(a[:3], b[:3])


def test_channel_dropout_drops_whole_channels():
    x = jnp.ones((500, 64))
    y = np.asarray(channel_dropout(jax.random.PRNGKey(0), x, 0.5))
    col_zero = np.all(y == 0, axis=0)
    col_kept = np.all(y == 2.0, axis=0)
    assert np.all(col_zero | col_kept)  # each channel is all-dropped or all-kept (scaled)
    assert 10 < col_zero.sum() < 54
    assert np.array_equal(np.asarray(channel_dropout(None, x, 0.5)), np.asarray(x))


def test_module_and_models_shapes_and_equivariance():
    rng = np.random.default_rng(5)
    N, M = 8, 10
    u, i, _ = _random_sparse(rng, N, M, 0.5)
    levels = rng.integers(0, 5, len(u))
    hidden = rng.random(len(u)) < 0.3
    x = encode_ratings(jnp.asarray(levels), jnp.asarray(hidden), 5)
    assert x.shape == (len(u), 6)
    np.testing.assert_allclose(np.asarray(x[hidden]).sum(1), 1.0)  # only the indicator
    layer = ExchangeableLinear(6, 7, rngs=nnx.Rngs(0))
    assert layer(x, (u, i), (N, M)).shape == (len(u), 7)
    with pytest.raises(ValueError):
        layer(jnp.ones((len(u), 3)), (u, i), (N, M))
    pu, pi = rng.permutation(N), rng.permutation(M)
    for model in (
        SelfSupervisedExchangeable(5, ch=16, num_layers=3, rngs=nnx.Rngs(1)),
        FactorizedExchangeable(5, ch=16, enc_layers=2, dec_layers=2, factor_dim=8, rngs=nnx.Rngs(2)),
    ):
        out = np.asarray(model(x, (u, i), (N, M)))
        assert out.shape == (len(u), 5) and np.all(np.isfinite(out))
        np.testing.assert_allclose(np.asarray(model(x, (pu[u], pi[i]), (N, M))), out, rtol=1e-4, atol=1e-5)
        # size-agnostic: the same weights run on a bigger matrix
        out_big = model(x, (u + 3, i + 5), (N + 10, M + 20))
        np.testing.assert_allclose(np.asarray(out_big), out, rtol=1e-4, atol=1e-5)
        # dropout is random in training mode, off in eval mode
        d1 = model(x, (u, i), (N, M), key=jax.random.PRNGKey(0), deterministic=False)
        assert not np.allclose(np.asarray(d1), out)
    r = expected_rating(jnp.zeros((2, 5)), jnp.arange(1.0, 6.0))
    np.testing.assert_allclose(np.asarray(r), 3.0)


def test_factorized_factors_and_query_decoding():
    rng = np.random.default_rng(6)
    N, M = 6, 7
    u, i, _ = _random_sparse(rng, N, M, 0.5)
    x = encode_ratings(jnp.asarray(rng.integers(0, 5, len(u))), jnp.zeros(len(u)), 5)
    model = FactorizedExchangeable(5, ch=8, enc_layers=2, dec_layers=1, factor_dim=4, rngs=nnx.Rngs(0))
    fu, fv = model.factors(x, (u, i), (N + 2, M))
    assert fu.shape == (N + 2, 4) and fv.shape == (M, 4)
    np.testing.assert_allclose(np.asarray(fu[N:]), 0.0)  # rows with no entry: zero factors
    q = (jnp.array([0, N + 1]), jnp.array([1, 2]))
    assert model(x, (u, i), (N + 2, M), query_index=q).shape == (2, 5)


def test_pooling_subsets_match_the_solver_basis_of_SxS():
    """The layer's 4 tied weights are the solver's exchangeable basis (Theorem 5.1)."""
    from eqsolve.groups import S
    from eqsolve.reps import V

    N, M = 3, 4
    X = V(S(N, label="users")) * V(S(M, label="items"))
    B = (X >> X).equivariant_basis()
    labels = list(B.labels)
    assert len(labels) == 4
    # factor f acts on output axis f and input axis f + 2; tied = index kept, untied = pooled
    kept_from_solver = {tuple(f for f in range(2) if lab.tied(f, f + 2)) for lab in labels}
    assert kept_from_solver == set(kept_subsets(2))
    # same span: each pooling term, as a (N*M) x (N*M) matrix, lies in the solver's basis span
    uu, ii = np.meshgrid(np.arange(N), np.arange(M), indexing="ij")
    idx = (jnp.asarray(uu.ravel()), jnp.asarray(ii.ravel()))
    eye = jnp.eye(N * M)[:, :, None]  # N*M unit inputs, one channel
    mats = []
    for kept in kept_subsets(2):
        p = {subset_label(k): jnp.full((1, 1), float(k == kept)) for k in kept_subsets(2)}
        p["bias"] = jnp.zeros((1,))
        cols = [np.asarray(exchangeable_linear(p, eye[c], idx, (N, M)))[:, 0] for c in range(N * M)]
        mats.append(np.stack(cols, axis=1).reshape(N, M, N, M).ravel())  # W[i, j, i', j']
    mine = np.stack(mats, axis=1)
    Q = np.asarray(B.dense()).reshape(-1, 4)
    assert np.linalg.matrix_rank(mine) == 4
    assert np.linalg.matrix_rank(np.concatenate([Q, mine], axis=1), tol=1e-8) == 4
