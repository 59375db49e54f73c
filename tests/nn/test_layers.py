"""eqsolve.nn.Linear / BiLinear / GatedNonlinearity: equivariance, bias, dense agreement,
NNX training step and pure-function form."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from eqsolve.groups import O, SO, Lorentz, S
from eqsolve.nn import BiLinear, GatedNonlinearity, Linear, gated, linear_apply
from eqsolve.reps import Scalar, V
from layer_checks import equivariance_error

CASES = {
    "S(5)": (S(5), lambda G: 2 * V(G) ** 2 + Scalar(G), lambda G: 3 * V(G) + Scalar(G)),
    "SO(3)": (SO(3), lambda G: 2 * V(G) + Scalar(G), lambda G: V(G) ** 2 + V(G)),
    "O(5)": (O(5), lambda G: 2 * V(G), lambda G: V(G) + 2 * Scalar(G)),
    "Lorentz": (Lorentz(), lambda G: 2 * V(G) + V(G) * V(G).T, lambda G: V(G) + V(G).T + Scalar(G)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_linear_equivariant_and_matches_dense(name):
    G, fin, fout = CASES[name]
    rin, rout = fin(G), fout(G)
    layer = Linear(rin, rout, rngs=nnx.Rngs(0))
    f = nnx.jit(lambda m, x: m(x))
    assert equivariance_error(lambda x: f(layer, x), rin, rout, G) < 1e-5
    # the layer's matrix through the solver's dense basis reproduces it (bias separately)
    x = np.random.default_rng(1).normal(size=(3, rin.size())).astype(np.float32)
    y0 = np.asarray(f(layer, jnp.zeros((1, rin.size()))))
    W = layer.dense_matrix()
    np.testing.assert_allclose(np.asarray(f(layer, x)) - y0, x @ W.T, atol=2e-5 * max(1, np.abs(x @ W.T).max()))


def test_bias_only_where_allowed():
    assert not Linear(V(SO(3)), V(SO(3)), rngs=nnx.Rngs(0)).has_bias
    assert not Linear(V(Lorentz()), V(Lorentz()), rngs=nnx.Rngs(0)).has_bias
    assert Linear(V(O(5)), V(O(5)) ** 2 + V(O(5)), rngs=nnx.Rngs(0)).has_bias  # T2 holds the invariant delta
    assert Linear(V(SO(3)), Scalar(SO(3)) + V(SO(3)), rngs=nnx.Rngs(0)).has_bias
    assert Linear(V(S(4)), V(S(4)), rngs=nnx.Rngs(0)).has_bias  # constant vector is S(n)-invariant
    # a bias-free layer maps 0 to 0; an allowed bias is invariant
    lin = Linear(V(SO(3)), V(SO(3)) + 2 * Scalar(SO(3)), rngs=nnx.Rngs(0))
    for b in lin.biases:
        b[...] = b[...] + 1.0
    y0 = np.asarray(lin(jnp.zeros((1, 3))))[0]
    np.testing.assert_allclose(y0[:3], 0.0)
    assert np.all(y0[3:] == 1.0)
    assert len(Linear(V(S(4)), V(S(4)), rngs=nnx.Rngs(0), use_bias=False).biases) == 0


def test_runtime_choice():
    assert {p.kind for _, _, p in Linear(V(S(6)) ** 2, V(S(6)), rngs=nnx.Rngs(0)).program.blocks} == {"pattern"}
    assert {p.kind for _, _, p in Linear(V(SO(3)), V(SO(3)), rngs=nnx.Rngs(0)).program.blocks} == {"dense"}


def test_multichannel_layout_is_channel_major():
    n, C = 5, 4
    G = S(n)
    layer = Linear(C * V(G), 2 * V(G), rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.PRNGKey(0), (3, C * n))
    y = layer(x)
    y2 = layer.apply_fields([x.reshape(3, C, n)])[0]
    np.testing.assert_allclose(y.reshape(3, 2, n), y2, rtol=1e-6, atol=1e-6)
    # size-agnostic tensor form: same weights on n = 9
    y9 = layer.apply_fields([jax.random.normal(jax.random.PRNGKey(1), (3, C, 9))])[0]
    assert y9.shape == (3, 2, 9)


@pytest.mark.parametrize("name", ["SO(3)", "Lorentz"])
def test_bilinear_and_gate_equivariant(name):
    G, fin, _ = CASES[name]
    rep = fin(G) + 3 * Scalar(G) + (V(G) ** 2 if name == "SO(3)" else V(G).T * V(G).T)
    bil = BiLinear(rep, rep, rngs=nnx.Rngs(0))
    assert len(bil.weights) > 0
    assert equivariance_error(jax.jit(lambda x: bil(x)), rep, rep, G) < 1e-4
    gate = GatedNonlinearity(rep)
    g = gated(rep)
    assert g.size() == rep.size() + sum(1 for m in rep.monomials if m.leaves)
    assert equivariance_error(jax.jit(lambda x: gate(x)), g, rep, G) < 1e-5


def test_gates_as_emlp_places_them():
    """EMLP's gated/gate_indices: no gate for scalars and permutation reps (swish on
    themselves), one gate scalar per other channel."""
    from eqsolve.nn import gate_indices

    Gp = S(4)
    rp = 2 * V(Gp) + V(Gp) ** 2 + Scalar(Gp)
    assert gated(rp) == rp and np.array_equal(gate_indices(rp), np.arange(rp.size()))
    Gc = SO(3)
    rc = 2 * V(Gc) + Scalar(Gc)
    assert gated(rc).size() == rc.size() + 2
    np.testing.assert_array_equal(gate_indices(rc), [7, 7, 7, 8, 8, 8, 6])
    x = jnp.asarray(np.random.default_rng(0).normal(size=(2, rp.size())), jnp.float32)
    np.testing.assert_allclose(GatedNonlinearity(rp)(x), jax.nn.swish(x), rtol=1e-6)


def test_bilinear_weights_as_emlp_builds_them():
    """EMLP's Wdim counted by hand, y = 0.1 W(x) x with W(x) linear in x and equivariant as a
    map in -> out: W(g x) = rho(g) W(x) rho(g)^-1."""
    G = SO(3)
    rep = 2 * Scalar(G) + 2 * V(G) + V(G) ** 2
    bil = BiLinear(rep, rep, rngs=nnx.Rngs(0), init_std=1.0)
    # types of W = rep (x) rep*, per (out, in) field pair, with x's non-scalar partner:
    # S<-V: V, 4 copies x min(2, 3) = 8; S<-T2: T2, 2 x 1; V<-S: V, 4 x 2; V<-V: T2, 4 x 1;
    # T2<-S: T2, 2 x 1; S<-S is scalar (EMLP skips it), the rest are rank 3/4 (absent)
    assert bil.num_weights == 8 + 2 + 8 + 4 + 2
    rng = np.random.default_rng(0)
    x1, x2 = (jnp.asarray(rng.normal(size=(4, rep.size())), jnp.float32) for _ in range(2))
    W1, W2 = bil.matrix(x1), bil.matrix(x2)
    np.testing.assert_allclose(bil(x1), 0.1 * jnp.einsum("bij,bj->bi", W1, x1), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bil.matrix(x1 + x2), W1 + W2, rtol=1e-4, atol=1e-5)
    g = G.samples(1, seed=3)[0]
    R = rep.rho(g)
    gx = jnp.asarray(np.asarray(x1) @ R.T, jnp.float32)
    np.testing.assert_allclose(bil.matrix(gx), np.einsum("ij,bjk,lk->bil", R, np.asarray(W1), R), atol=1e-4)
    # scalar-typed blocks are zero: the scalar-out/scalar-in corner of W
    assert float(jnp.abs(W1[:, :2, :2]).max()) == 0.0
    # init_std=1: standard normal (EMLP's objax init); the default is EMLP's Flax init N(0, 0.01^2)
    w = np.concatenate([np.asarray(p[...]).ravel() for p in bil.weights])
    assert 0.5 < w.std() < 1.5
    w2 = np.concatenate([np.asarray(p[...]).ravel() for p in BiLinear(rep, rep, rngs=nnx.Rngs(0)).weights])
    np.testing.assert_allclose(w2, 0.01 * w, rtol=1e-5)


def test_rep_of_another_group_is_refused():
    from eqsolve.nn import EMLP

    with pytest.raises(ValueError, match=r"rep of S\(3\).*SO\(3\)"):
        EMLP(V(S(3)), V(S(3)), group=SO(3), ch=16, num_layers=1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="SO"):
        EMLP(V(S(3)) + V, Scalar, group=SO(3), ch=16, num_layers=1, rngs=nnx.Rngs(0))
    m = EMLP(V(SO(3)), V, group=SO(3), ch=16, num_layers=1, rngs=nnx.Rngs(0))  # same group is fine
    assert m.rep_in == V(SO(3))


def test_train_step_and_pure_function():
    G = S(4)
    rin, rout = V(G) ** 2, Scalar(G) + V(G)
    layer = Linear(rin, rout, rngs=nnx.Rngs(0))
    opt = nnx.Optimizer(layer, optax.adam(1e-2), wrt=nnx.Param)
    x = jax.random.normal(jax.random.PRNGKey(0), (16, rin.size()))
    target = jax.random.normal(jax.random.PRNGKey(1), (16, rout.size()))

    @nnx.jit
    def step(m, opt):
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - target) ** 2))(m)
        opt.update(m, grads)
        return loss

    losses = [float(step(layer, opt)) for _ in range(5)]
    assert losses[-1] < losses[0]
    # pure-function form inside jax.jit
    ws = [w[...] for w in layer.weights]
    bs = [b[...] for b in layer.biases]
    y = jax.jit(lambda ws, bs, x: linear_apply(layer.program, ws, bs, x))(ws, bs, x)
    np.testing.assert_allclose(y, layer(x), rtol=1e-5, atol=1e-5)
