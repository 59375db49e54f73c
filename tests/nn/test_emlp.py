"""EMLP on Flax NNX: equivariance for S(n), SO(3), O(5), Lorentz; hidden reps; training."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from eqsolve.groups import O, SO, Lorentz, S
from eqsolve.nn import EMLP, binomial_allocation, uniform_rep
from eqsolve.reps import Scalar, T, V
from layer_checks import equivariance_error


CASES = {
    "S(4)": (S(4), lambda: 2 * V + V**2, lambda: V + Scalar, 1e-4),
    "SO(3)": (SO(3), lambda: 5 * Scalar + 5 * V, lambda: T(2), 1e-4),
    "O(5)": (O(5), lambda: 2 * V, lambda: Scalar, 1e-4),
    "Lorentz": (Lorentz(), lambda: 4 * V, lambda: Scalar, 5e-4),
}


@pytest.mark.parametrize("name", list(CASES))
def test_emlp_equivariant(name):
    G, fin, fout, tol = CASES[name]
    model = EMLP(fin(), fout(), G, ch=32, num_layers=2, rngs=nnx.Rngs(0))
    rin, rout = model.rep_in, model.rep_out
    f = nnx.jit(lambda m, x: m(x))
    y = f(model, jnp.ones((2, rin.size())))
    assert y.shape == (2, rout.size()) and bool(jnp.all(jnp.isfinite(y)))
    assert equivariance_error(lambda x: f(model, x), rin, rout, G) < tol


@pytest.mark.parametrize("G,ch", [(SO(3), 100), (O(5), 128), (Lorentz(), 64), (S(5), 40)])
def test_uniform_rep_size(G, ch):
    r = uniform_rep(ch, G)
    assert r.size() == ch
    assert any(not m.leaves for m in r.monomials) and any(m.leaves for m in r.monomials)


def test_binomial_allocation_is_emlps():
    """EMLP's split: N // 2^r copies of binom(r, p) T(p, r-p), the N % 2^r leftover drawn
    Binomial(r, 1/2); orthogonal groups: N T(r)."""
    G = Lorentz()  # not orthogonal: T(p, q) differ
    assert binomial_allocation(9, 2, G, seed=5).size() == 9 * 16  # 2 * (T(2,0) + 2 T(1,1) + T(0,2)) + 1 drawn

    def terms(rep):  # {str(T(p, q)): total multiplicity}
        out: dict[str, int] = {}
        for r, m in rep.terms:
            out[str(r)] = out.get(str(r), 0) + m
        return out

    assert terms(binomial_allocation(8, 2, G)) == terms(2 * T(2, 0, G) + 4 * T(1, 1, G) + 2 * T(0, 2, G))
    draws = {str(terms(binomial_allocation(9, 2, G, seed=s))) for s in range(40)}
    assert len(draws) == 3  # the leftover lands on each of T(2,0), T(1,1), T(0,2) for some seed
    assert terms(binomial_allocation(9, 2, O(3), seed=5)) == terms(9 * T(2, 0, O(3)))


def test_uniform_rep_seed():
    G = Lorentz()
    assert str(uniform_rep(100, G, seed=1)) == str(uniform_rep(100, G, seed=1))
    assert len({str(uniform_rep(100, G, seed=s)) for s in range(20)}) > 1
    assert all(uniform_rep(100, G, seed=s).size() == 100 for s in range(5))


def test_emlp_trains():
    G = O(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (np.linalg.norm(x[:, :3], axis=1) * (x[:, :3] * x[:, 3:]).sum(1))[:, None].astype(np.float32)
    y = y / y.std()
    model = EMLP(2 * V, Scalar, G, ch=24, num_layers=1, rngs=nnx.Rngs(0))
    opt = nnx.Optimizer(model, optax.adam(3e-3), wrt=nnx.Param)

    @nnx.jit
    def step(m, opt):
        loss, g = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(m)
        opt.update(m, g)
        return loss

    losses = [float(step(model, opt)) for _ in range(30)]
    assert losses[-1] < 0.7 * losses[0]


# ------------------------------------------------------------- EMLP's nn surface
def test_mlp_emlp_signature_sizes_and_init_scale():
    from eqsolve.nn import MLP

    m = MLP(2 * V, Scalar, O(5), ch=8, num_layers=2, rngs=nnx.Rngs(0))
    assert [l.kernel.shape for l in m.layers] == [(10, 8), (8, 8)] and m.head.kernel.shape == (8, 1)
    assert m(jnp.ones((3, 10))).shape == (3, 1)
    assert MLP(10, 1, ch=8, num_layers=2, rngs=nnx.Rngs(0)).layers[0].kernel.shape == (10, 8)  # sizes as ints
    # kernels: variance init_scale^2 / fan_in
    for s in (1.0, 0.5):
        k = np.asarray(MLP(400, 1, ch=400, num_layers=1, rngs=nnx.Rngs(1), init_scale=s).layers[0].kernel[...])
        assert abs(k.std() - s / 20) < 0.05 * s / 20
    with pytest.raises(ValueError, match="rep of S"):
        MLP(V(S(3)), Scalar, SO(3), ch=4, num_layers=1, rngs=nnx.Rngs(0))


class _Affine(nnx.Module):
    """y = 2 x[:, :1] + 1 (a model with known output)."""

    def __call__(self, x):
        return 2 * x[:, :1] + 1


def test_standardize_hand_computed():
    from eqsolve.nn import Standardize

    x = jnp.asarray([[3.0, 5.0], [1.0, -1.0]])
    mx, sx, my, sy = 1.0, np.array([2.0, 4.0]), np.array([10.0]), np.array([3.0])
    m = Standardize(_Affine(), (mx, sx, my, sy))
    # x0 -> (3-1)/2 = 1 -> 2*1+1 = 3 -> 3*3+10 = 19;  x1 -> 0 -> 1 -> 13
    np.testing.assert_allclose(m(x)[:, 0], [19.0, 13.0])
    np.testing.assert_allclose(Standardize(_Affine(), (mx, sx))(x)[:, 0], [3.0, 1.0])
    with pytest.raises(ValueError, match="ds_stats"):
        Standardize(_Affine(), (0, 1, 0))
    with pytest.raises(ValueError, match="zero"):
        Standardize(_Affine(), (0, 0.0))


class _Quadratic(nnx.Module):
    """H(z) = |z|^2 / 2 per state (the harmonic oscillator), shape (batch, 1)."""

    def __call__(self, z):
        return 0.5 * (z**2).sum(-1, keepdims=True)


def test_hnet_dynamics_and_rollout_harmonic_oscillator():
    from eqsolve.nn import HNet

    h = HNet(_Quadratic())
    z = jnp.asarray([[1.0, 2.0, 3.0, 4.0], [0.5, 0.0, 0.0, -1.0]])
    assert np.isclose(float(h(z)), 0.5 * (30 + 1.25))
    np.testing.assert_allclose(h.dynamics(z), jnp.concatenate([z[:, 2:], -z[:, :2]], 1))  # J grad H = (p, -q)
    ts = jnp.linspace(0.0, 2.0, 5)
    traj = h.rollout(z, ts, rtol=1e-6, atol=1e-6)
    q0, p0 = np.asarray(z[:, :2]), np.asarray(z[:, 2:])
    t = np.asarray(ts)[None, :, None]
    exact_q = q0[:, None] * np.cos(t) + p0[:, None] * np.sin(t)
    assert traj.shape == (2, 5, 4)
    np.testing.assert_allclose(traj[..., :2], exact_q, atol=1e-4)


def test_emlph_invariant_hamiltonian_and_equivariant_dynamics():
    from eqsolve.groups import O2eR3
    from eqsolve.nn import EMLPH, MLPH

    G = O2eR3()
    h = EMLPH(4 * V, Scalar, G, ch=16, num_layers=1, rngs=nnx.Rngs(0))
    z = jnp.asarray(np.random.default_rng(0).normal(size=(3, 12)), jnp.float32)
    dyn = nnx.jit(lambda h, z: h.dynamics(z))
    Hs = jax_vmap_H(h, z)
    for g in list(G.samples(2, seed=1)) + [np.diag([1.0, -1.0, 1.0])]:
        gz = jnp.asarray((np.asarray(z).reshape(3, 4, 3) @ g.T).reshape(3, 12), jnp.float32)
        np.testing.assert_allclose(jax_vmap_H(h, gz), Hs, atol=1e-4)
        np.testing.assert_allclose(dyn(h, gz), (np.asarray(dyn(h, z)).reshape(3, 4, 3) @ g.T).reshape(3, 12), atol=1e-4)
    # the MLP version is not invariant (the check can fail)
    m = MLPH(4 * V, Scalar, G, ch=16, num_layers=1, rngs=nnx.Rngs(0))
    g = np.asarray(G.samples(1, seed=1)[0])
    gz = jnp.asarray((np.asarray(z).reshape(3, 4, 3) @ g.T).reshape(3, 12), jnp.float32)
    assert np.abs(jax_vmap_H(m, gz) - jax_vmap_H(m, z)).max() > 1e-3


_per_state_H = nnx.jit(lambda h, z: h.network(z)[:, 0])


def jax_vmap_H(h, z):
    """Per-state H (the network's output, before EMLP's batch sum)."""
    return np.asarray(_per_state_H(h, z))


def test_train_step_matches_nnx_path_and_reuses_compiled_step():
    from eqsolve.nn import MLP, TrainStep

    x = jnp.asarray(np.random.default_rng(0).normal(size=(16, 6)), jnp.float32)
    y = x[:, :1] * x[:, 3:4]

    def loss_fn(m, x, y):
        return jnp.mean((m(x) - y) ** 2)

    ref = MLP(6, 1, ch=8, num_layers=2, rngs=nnx.Rngs(0))
    opt = nnx.Optimizer(ref, optax.adam(1e-2), wrt=nnx.Param)

    @nnx.jit
    def naive(m, opt, x, y):
        loss, g = nnx.value_and_grad(loss_fn)(m, x, y)
        opt.update(m, g)
        return loss

    step = TrainStep(MLP(6, 1, ch=8, num_layers=2, rngs=nnx.Rngs(0)), optax.adam(1e-2), loss_fn)
    for _ in range(4):
        np.testing.assert_allclose(float(step(x, y)), float(naive(ref, opt, x, y)), rtol=1e-5)
    np.testing.assert_allclose(step.predict(x), ref(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(step.sync()(x), ref(x), rtol=1e-5, atol=1e-6)  # written back into the module
    # another seed's model reuses the compiled step
    step.load(MLP(6, 1, ch=8, num_layers=2, rngs=nnx.Rngs(5)))
    step(x, y)
    assert step._step._cache_size() == 1
    with pytest.raises(ValueError, match="do not match"):
        step.load(MLP(6, 1, ch=9, num_layers=2, rngs=nnx.Rngs(5)))
