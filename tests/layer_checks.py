"""Shared checks for the JAX layer tests (runtime programs and nn modules)."""

import jax
import jax.numpy as jnp
import numpy as np

from eqsolve.runtime import LinearProgram


def assert_program_matches_dense(rin, rout, pooling="sum", seed=0, tol=2e-5):
    """Both directions: the program's coefficients in the solver basis reproduce its outputs,
    and the solver's coefficients mapped to the program reproduce the dense-basis layer.
    Returns the program."""
    prog = LinearProgram(rin, rout, pooling=pooling, bias=False)
    full = (rin >> rout).equivariant_basis()
    Q = full.dense()
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, rin.size())).astype(np.float32)
    ws, _ = prog.init(jax.random.PRNGKey(seed))
    f = jax.jit(prog.__call__)
    y = np.asarray(f(ws, jnp.asarray(x)))
    W = (Q @ prog.solver_coefficients(ws)).reshape(rout.size(), rin.size())
    np.testing.assert_allclose(y, x @ W.T, atol=tol * max(1.0, np.abs(y).max()))
    c = rng.normal(size=full.dim)
    y2 = np.asarray(f(prog.weights_from_solver(c), jnp.asarray(x)))
    W2 = (Q @ c).reshape(rout.size(), rin.size())
    np.testing.assert_allclose(y2, x @ W2.T, atol=tol * max(1.0, np.abs(y2).max()))
    return prog


def equivariance_error(f, rin, rout, G, batch=4, seed=0, n_samples=2):
    """max over sampled g of |f(rho_in(g) x) - rho_out(g) f(x)| / max|f(x)|."""
    x = np.random.default_rng(seed).normal(size=(batch, rin.size())).astype(np.float32)
    y = np.asarray(f(jnp.asarray(x)))
    errs = []
    for g in G.samples(n_samples, seed=seed + 1):
        gx = (x @ rin.rho(g).T).astype(np.float32)
        errs.append(np.abs(np.asarray(f(jnp.asarray(gx))) - y @ rout.rho(g).T).max() / max(np.abs(y).max(), 1e-6))
    return max(errs)
