"""The layer benchmark compares like with like: its pointwise floor is exactly the exchangeable
layer with every pooled weight zero (with and without biases), and its timing helpers run."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bench_scripts import load_benchmark


def _script():
    return load_benchmark("layers")


@pytest.fixture(scope="module")
def bench():
    return _script()


def _pointwise_only(bench, N, M, C, bias):
    """Exchangeable weights with only the identity pattern set, and the same pointwise layer."""
    rep = bench.exchangeable(N, M, C)
    prog = bench.LinearProgram(rep, rep, bias=bias)
    ws, bs = prog.init(jax.random.PRNGKey(0))
    ((_, _, pattern_prog),) = prog.blocks
    identity = [k for k, p in enumerate(pattern_prog.patterns) if p.identity]
    assert len(identity) == 1 and pattern_prog.num_params == 4
    w0 = jax.random.normal(jax.random.PRNGKey(1), (C, C))
    ws = [jnp.zeros_like(ws[0]).at[:, :, identity[0]].set(w0)]
    b0 = jnp.linspace(-1.0, 1.0, C)
    if bias:
        (b_shape,) = [b.shape for b in bs]
        assert b_shape == (C, 1, 1)  # one invariant (constant) bias per channel
        bs = [b0.reshape(C, 1, 1)]
    return prog, ws, bs, w0, b0


@pytest.mark.parametrize("bias", [False, True])
def test_floor_is_the_layer_without_pooling(bench, bias):
    N, M, C = 5, 7, 3
    prog, ws, bs, w0, b0 = _pointwise_only(bench, N, M, C, bias)
    x = jax.random.normal(jax.random.PRNGKey(2), (2, C, N, M))
    if bias:
        y_layer = bench.program_bias_fn(prog)((ws, bs), x)
        y_floor = bench.pointwise_bias_fn((w0, b0), x)
    else:
        y_layer = bench.program_fn(prog)(ws, x)
        y_floor = bench.pointwise_fn(w0, x)
    np.testing.assert_allclose(np.asarray(y_layer), np.asarray(y_floor), rtol=1e-5, atol=1e-5)
    # and the comparison is not vacuous: a pooled weight changes the layer's output
    ws_pooled = [ws[0].at[:, :, :].add(0.5)]
    y_pooled = bench.program_bias_fn(prog)((ws_pooled, bs), x) if bias else bench.program_fn(prog)(ws_pooled, x)
    assert float(jnp.max(jnp.abs(y_pooled - y_layer))) > 0.1


@pytest.mark.parametrize("kw", [{}, {"bias": False}, {"act": jax.nn.relu}])
def test_bench_floor_runs(bench, kw):
    t_pool, t_point, ratio = bench.bench_floor(6, 5, 4, 2, repeats=2, **kw)
    assert t_pool > 0 and t_point > 0 and np.isfinite(ratio) and ratio > 0
