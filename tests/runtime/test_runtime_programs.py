"""Orbit (lazy) and dense programs; jit / grad / vmap of every path."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from eqsolve.groups import DihedralPerm, O, SO, Lorentz, RubiksCube, S, Z
from eqsolve.reps import Scalar, T, V
from eqsolve.runtime import LinearProgram
from layer_checks import assert_program_matches_dense as assert_matches_dense


@pytest.mark.parametrize(
    "make",
    [
        lambda: (V(Z(5)), V(Z(5))),
        lambda: (2 * V(Z(5)) + Scalar, V(Z(5)) ** 2),
        lambda: (V(DihedralPerm(4)) ** 2, V(DihedralPerm(4))),
        lambda: (V(RubiksCube()), V(RubiksCube())),
    ],
)
def test_orbit_bases_match_dense(make):
    rin, rout = make()
    prog = assert_matches_dense(rin, rout)
    assert "orbit" in {p.kind for _, _, p in prog.blocks}


@pytest.mark.parametrize(
    "make",
    [
        lambda: (V(SO(3)), V(SO(3))),
        lambda: (V(SO(3)) + T(2, 0, SO(3)), 2 * V(SO(3))),
        lambda: (V(O(4)) ** 2, Scalar(O(4)) + V(O(4)) ** 2),
        lambda: (V(Lorentz()) * V(Lorentz()).T, Scalar(Lorentz()) + V(Lorentz()) * V(Lorentz()).T),
    ],
)
def test_dense_bases_match_dense(make):
    rin, rout = make()
    prog = assert_matches_dense(rin, rout)
    assert {p.kind for _, _, p in prog.blocks} == {"dense"}


def test_forced_dense_mode_equals_pooling():
    G = S(4)
    rin, rout = 2 * V(G) ** 2 + V(G), V(G) + Scalar(G)
    pool = LinearProgram(rin, rout)
    dense = LinearProgram(rin, rout, mode="dense")
    assert {p.kind for _, _, p in dense.blocks} == {"dense"}
    ws, bs = pool.init(jax.random.PRNGKey(0))
    wd = dense.weights_from_solver(pool.solver_coefficients(ws))
    x = jax.random.normal(jax.random.PRNGKey(1), (5, rin.size()))
    np.testing.assert_allclose(jax.jit(pool.__call__)(ws, x), jax.jit(dense.__call__)(wd, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "rep",
    [
        V(S(4)) ** 2 + 2 * V(S(4)),  # pattern
        V(Z(5)) + Scalar,  # orbit
        V(SO(3)) + V(SO(3)) ** 2,  # dense
    ],
)
def test_jit_grad_vmap(rep):
    prog = LinearProgram(rep, rep)
    ws, bs = prog.init(jax.random.PRNGKey(0))
    bs = [b + 0.3 for b in bs]
    x = jax.random.normal(jax.random.PRNGKey(1), (6, rep.size()))
    y = jax.jit(prog.__call__)(ws, x, bs)
    np.testing.assert_allclose(jax.jit(jax.vmap(lambda v: prog(ws, v, bs)))(x), y, rtol=1e-5, atol=1e-5)
    # grad w.r.t. inputs is W^T r with W the dense-basis matrix
    Q = (rep >> rep).equivariant_basis().dense()
    W = (Q @ prog.solver_coefficients(ws)).reshape(rep.size(), rep.size())
    r = jax.random.normal(jax.random.PRNGKey(2), y.shape)
    gx = jax.jit(jax.grad(lambda v: jnp.sum(prog(ws, v, bs) * r)))(x)
    np.testing.assert_allclose(gx, np.asarray(r) @ W, rtol=1e-4, atol=1e-4)
    # grad w.r.t. weights is finite and has the weights' structure
    gw = jax.jit(jax.grad(lambda w: jnp.sum(prog(w, x, bs) ** 2)))(ws)
    assert all(a.shape == b.shape and bool(jnp.all(jnp.isfinite(a))) for a, b in zip(gw, ws))


def test_bias_only_in_invariant_subspace():
    assert LinearProgram(V(SO(3)), V(SO(3))).bias_blocks == []
    assert LinearProgram(V(Lorentz()), V(Lorentz())).bias_blocks == []
    p = LinearProgram(V(S(4)), V(S(4)) ** 2 + Scalar(S(4)))
    assert len(p.bias_blocks) == 2
    ws, bs = p.init(jax.random.PRNGKey(0))
    bs = [b + 1.0 for b in bs]
    y0 = np.asarray(jax.jit(p.__call__)(ws, jnp.zeros((1, 4)), bs))[0]
    cb = p.bias_solver_coefficients(bs)
    Qb = p.rep_out.equivariant_basis().dense()
    np.testing.assert_allclose(y0, Qb @ cb, rtol=1e-5, atol=1e-5)


def test_forward_mode_ad_option():
    """fast_vjp=False keeps jax.jvp / jacfwd available and computes the same map."""
    rep = V(S(4)) ** 2 + V(S(4))
    fast = LinearProgram(rep, rep)
    plain = LinearProgram(rep, rep, fast_vjp=False)
    ws, bs = fast.init(jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (2, rep.size()))
    dx = jax.random.normal(jax.random.PRNGKey(2), x.shape)
    # jitted: the same traces, compiled once (eager dispatch of every op costs seconds)
    y, dy = jax.jit(lambda v, t: jax.jvp(lambda u: plain(ws, u, bs), (v,), (t,)))(x, dx)
    np.testing.assert_allclose(y, jax.jit(fast.__call__)(ws, x, bs), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dy, jax.jit(plain.__call__)(ws, dx), rtol=1e-5, atol=1e-5)  # linear: tangent = map of dx
    g1 = jax.jit(jax.grad(lambda w: jnp.sum(fast(w, x, bs) ** 2)))(ws)
    g2 = jax.jit(jax.grad(lambda w: jnp.sum(plain(w, x, bs) ** 2)))(ws)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "rin, rout",
    [
        (V(S(4)) ** 2 + V(S(4)), V(S(4)) ** 2 + V(S(4)) + Scalar(S(4))),  # biases join pooling blocks
        (V(S(3)) * V(S(4)), V(S(3)) * V(S(4))),  # the exchangeable matrix layer
        (V(Z(5)) + Scalar(Z(5)), V(Z(5)) + Scalar(Z(5))),  # orbit blocks: bias added after
    ],
)
def test_bias_value_and_gradient(rin, rout):
    """The bias is summed with a pooling block's small terms (its gradient then comes from the
    pooled cotangent sums): the output is still map + bias, and the bias gradient is exact."""
    prog = LinearProgram(rin, rout)
    ws, bs = prog.init(jax.random.PRNGKey(0))
    bs = [b + jnp.arange(b.size, dtype=b.dtype).reshape(b.shape) * 0.1 + 0.5 for b in bs]
    x = jax.random.normal(jax.random.PRNGKey(1), (3, rin.size()))
    y = jax.jit(prog.__call__)(ws, x, bs)
    Qb = rout.equivariant_basis().dense()
    bias_vec = Qb @ prog.bias_solver_coefficients(bs)
    np.testing.assert_allclose(y, np.asarray(prog(ws, x)) + bias_vec, rtol=1e-5, atol=1e-5)
    # y is affine in the biases: each bias entry's gradient is the change its unit step makes
    r = jax.random.normal(jax.random.PRNGKey(2), y.shape)
    gb = jax.jit(jax.grad(lambda b: jnp.sum(prog(ws, x, b) * r)))(bs)
    for k, b in enumerate(bs):
        for idx in np.ndindex(b.shape):
            step = [bb.at[idx].add(1.0) if j == k else bb for j, bb in enumerate(bs)]
            dy = (Qb @ prog.bias_solver_coefficients(step)) - bias_vec
            np.testing.assert_allclose(gb[k][idx], float(np.sum(np.asarray(r) * dy)), rtol=1e-4, atol=1e-4)
