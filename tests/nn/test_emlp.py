"""EMLP on Flax NNX: equivariance for S(n), SO(3), O(5), Lorentz; hidden reps; training."""
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from eqsolve.groups import O, SO, Lorentz, S
from eqsolve.nn import EMLP, uniform_rep
from eqsolve.reps import Scalar, T, V
from layer_checks import equivariance_error



CASES = {
    "S(4)": (S(4), lambda: 2 * V + V ** 2, lambda: V + Scalar, 1e-4),
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
