"""Layers for complex groups (U(n), SU(n), products with them): complex coefficients stored as
real (..., 2) parameters, complex inputs and outputs, equivariance on sampled unitary elements,
generators and the Lie algebra, and the layer equal to the dense Q @ w product."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from eqsolve import verify
from eqsolve.groups import SO, SU, S, U, Z
from eqsolve.nn import MLP, EMLP, EMLPH, BiLinear, GatedNonlinearity, Linear, gated
from eqsolve.reps import Scalar, T, V
from eqsolve.runtime import LinearProgram


def _cx(rng, *shape):
    return ((rng.normal(size=shape) + 1j * rng.normal(size=shape)) / np.sqrt(2)).astype(np.complex64)


def _fn(module):
    """The module as a jitted numpy function (one compilation per input shape)."""
    graphdef, state = nnx.split(module)
    f = jax.jit(lambda st, z: nnx.merge(graphdef, st)(z))
    return lambda z: np.asarray(f(state, jnp.asarray(z, jnp.complex64)))


CASES = {
    "SU2": (SU(2), lambda G: V(G) + T(2, 0, G), lambda G: T(1, 1, G) + V(G)),
    "SU3": (SU(3), lambda G: V(G) + V(G).T, lambda G: T(2, 0, G) + T(0, 2, G) + Scalar(G)),
    "SU2xS3": (SU(2) * S(3), lambda G: V(G) + T(1, 1, G), lambda G: V(G) + Scalar(G)),
    "U2xSU2": (U(2) * SU(2), lambda G: T(1, 1, G) + V(G), lambda G: T(1, 1, G) + V(G) + Scalar(G)),
    # a block with permutation leaves only: orbit gather (Z(4)) with complex weights
    "SU2xZ4": (SU(2) * Z(4), lambda G: V(G) + V(G.factors[1]), lambda G: V(G.factors[1]) + V(G)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_complex_linear_is_equivariant_and_equals_dense(name):
    G, rin_of, rout_of = CASES[name]
    rin, rout = rin_of(G), rout_of(G)
    layer = Linear(rin, rout, rngs=nnx.Rngs(0))
    assert layer.program.is_complex
    if name == "SU2xZ4":
        assert sorted(p.kind for _, _, p in layer.program.blocks) == ["dense", "orbit"]
    for p in list(layer.weights) + list(layer.biases):  # real parameters: (..., 2) real and imaginary parts
        assert p[...].dtype == jnp.float32 and p[...].shape[-1] == 2
    rng = np.random.default_rng(1)
    # a nonzero bias, so the affine part is checked too
    layer.biases[0][...] = jnp.asarray(rng.normal(size=layer.biases[0][...].shape), jnp.float32)
    f = _fn(layer)
    x = _cx(rng, 4, rin.size())
    y = f(x)
    assert y.dtype == np.complex64 and np.abs(y.imag).max() > 1e-3
    # the dense Q @ w product (complex128 solver basis, complex coefficients)
    Q = (rin >> rout).equivariant_basis().dense()
    c = layer.solver_coefficients()
    assert np.iscomplexobj(Q) and np.iscomplexobj(c) and np.abs(c.imag).max() > 0
    W = (Q @ c).reshape(rout.size(), rin.size())
    b = f(np.zeros((4, rin.size())))[0]
    bias_basis = rout.equivariant_basis().dense()
    b_ref = bias_basis @ layer.program.bias_solver_coefficients([p[...] for p in layer.biases])
    np.testing.assert_allclose(b, b_ref, atol=1e-5)
    np.testing.assert_allclose(y, x @ W.T + b, atol=2e-5 * max(1.0, np.abs(y).max()))
    # the matrix is exactly equivariant; the float32 layer to float32 precision, on samples,
    # discrete generators (S(3)) and the Lie algebra (finite difference at t = 0.1)
    assert verify.equivariance(W, rin, rout).passed
    report = verify.equivariance(f, rin, rout, tol=2e-5, lie_t=0.1, samples=4)
    assert report.passed, str(report)


def test_solver_coefficients_round_trip_and_real_layers_refuse_complex():
    G = SU(2)
    prog = LinearProgram(T(1, 1, G), T(1, 1, G) + V(G) * V(G), bias=False)
    dim = (T(1, 1, G) >> T(1, 1, G) + V(G) * V(G)).equivariant_basis().dim
    c = _cx(np.random.default_rng(0), dim).astype(np.complex128)
    ws = prog.weights_from_solver(c)
    assert all(w.dtype == jnp.float32 and w.shape[-1] == 2 for w in ws)
    np.testing.assert_allclose(prog.solver_coefficients(ws), c, atol=1e-6)
    real = LinearProgram(V(SO(3)), V(SO(3)), bias=False)
    with pytest.raises(ValueError, match="real group"):
        real.weights_from_solver(np.array([1.0 + 0.5j]))
    with pytest.raises(ValueError, match=r"SU\(2\).*real and imaginary"):
        prog(list(w[..., 0] for w in ws), jnp.zeros((1, 4), jnp.complex64))  # parameters without the (2,) axis


def test_pattern_blocks_of_a_complex_layer():
    # S(3)-only blocks of a layer of SU(2) x S(3) have pattern bases: applied densely with complex
    # weights (equivariant, equal to Q @ w above); the real pooling runtime is refused by name
    G = SU(2) * S(3)
    rin = V(G) + V(G.factors[1])
    layer = Linear(rin, rin, rngs=nnx.Rngs(0))
    assert all(p.kind == "dense" for _, _, p in layer.program.blocks)
    assert verify.equivariance(_fn(layer), rin, rin, tol=2e-5, lie_t=0.1, samples=3).passed
    with pytest.raises(ValueError, match=r"mode='pattern'.*SU\(2\).*complex"):
        Linear(rin, rin, rngs=nnx.Rngs(0), mode="pattern")


def test_complex_layer_trains_with_real_gradients():
    G = U(2)
    layer = Linear(T(1, 1, G), T(1, 1, G), rngs=nnx.Rngs(0))
    rng = np.random.default_rng(2)
    x = jnp.asarray(_cx(rng, 8, 4))
    target = jnp.asarray((0.3 - 0.7j) * np.asarray(x))  # an equivariant target: a complex multiple

    graphdef, state = nnx.split(layer)  # only real Params: gradients are real

    def loss(st):
        return jnp.mean(jnp.abs(nnx.merge(graphdef, st)(x) - target) ** 2)

    step = jax.jit(lambda st: jax.tree.map(lambda p, d: p - 0.3 * d, st, jax.grad(loss)(st)))
    before = float(loss(state))
    for _ in range(60):
        state = step(state)
    after = float(loss(state))
    assert after < 1e-3 * before  # reachable only with the imaginary part of the coefficient


def test_bilinear_and_gates_with_complex_reps():
    G = SU(2)
    rep = gated(V(G) + T(1, 1, G))
    bil = BiLinear(rep, rep, rngs=nnx.Rngs(0), init_std=1.0)
    assert all(w[...].shape[-1] == 2 and w[...].dtype == jnp.float32 for w in bil.weights)
    assert verify.equivariance(_fn(bil), rep, rep, tol=2e-5, lie_t=0.1).passed
    gate = GatedNonlinearity(V(G) + T(1, 1, G))
    assert verify.equivariance(_fn(gate), rep, V(G) + T(1, 1, G), tol=2e-5, lie_t=0.1).passed
    y = _fn(bil)(_cx(np.random.default_rng(0), 2, rep.size()))
    assert np.iscomplexobj(y) and np.abs(y.imag).max() > 0


def test_emlp_with_a_complex_group():
    G = SU(2)
    hidden = 2 * Scalar(G) + V(G) + T(1, 1, G)
    model = EMLP(V(G) + T(1, 1, G), T(1, 1, G) + Scalar(G), G, ch=hidden, num_layers=1, rngs=nnx.Rngs(0))
    report = verify.equivariance(_fn(model), model.rep_in, model.rep_out, tol=5e-5, lie_t=0.1)
    assert report.passed, str(report)


def test_real_only_models_refuse_complex_groups_by_name():
    with pytest.raises(ValueError, match=r"MLP is a real network.*SU\(2\)"):
        MLP(V, Scalar, SU(2), ch=8, num_layers=1, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"EMLPH.*U\(2\)"):
        EMLPH(V, Scalar, U(2), ch=8, num_layers=1, rngs=nnx.Rngs(0))


def test_complex_layers_take_real_parameter_dtypes():
    with pytest.raises(TypeError, match="real dtype"):
        Linear(V(SU(2)), V(SU(2)), rngs=nnx.Rngs(0), dtype=jnp.complex64)
