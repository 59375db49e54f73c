"""What the ported EMLP tests import besides eqsolve: a ``vmap`` for numpy functions and the
nn names that wait on eqsolve's EMLP layer surface.

EMLP's tests call ``jax.vmap(rep.rho_dense)(gs)``; eqsolve's ``rho_dense`` is numpy (the
core never imports JAX), so ``vmap`` here maps a function over axis 0 of its array arguments
(or of every array in a dict argument, EMLP's form for product-group samples) in a Python loop
and stacks the results. Only the imports of the ported files are changed to use it.
"""

from __future__ import annotations

import numpy as np
import pytest


def vmap(fn, in_axes=0):
    if in_axes != 0:
        raise ValueError(f"this vmap maps over axis 0 only, got in_axes={in_axes!r}")

    def mapped(*args):
        def length(a):
            return len(next(iter(a.values()))) if isinstance(a, dict) else len(a)

        n = length(args[0])

        def take(a, k):
            return {key: np.asarray(v)[k] for key, v in a.items()} if isinstance(a, dict) else np.asarray(a)[k]

        outs = [fn(*(take(a, k) for a in args)) for k in range(n)]
        if isinstance(outs[0], tuple):
            return tuple(np.stack([np.asarray(o[i]) for o in outs]) for i in range(len(outs[0])))
        return np.stack([np.asarray(o) for o in outs])

    return mapped


def _waiting(name):
    def missing(*args, **kwargs):
        pytest.skip(f"eqsolve.nn.{name} is not available yet (EMLP's nn surface: helper emlpnn)")

    return missing


def _nn(name):
    try:
        from eqsolve import nn
    except ImportError:  # JAX / Flax missing
        return _waiting(name)
    return getattr(nn, name, None) or _waiting(name)


uniform_rep = _nn("uniform_rep")
bilinear_weights = _nn("bilinear_weights")
EMLP = _nn("EMLP")


def vis(repin, repout, cluster=True):
    """EMLP's ``vis(repin, repout)`` (a picture of the basis of repin >> repout): eqsolve's
    :func:`eqsolve.viz.draw_basis` on a figure that is closed again (nothing is shown)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from eqsolve.viz import draw_basis

    fig = draw_basis((repin >> repout).equivariant_basis())
    plt.close(fig)


class _NN:
    """``emlp.nn`` as the model tests use it: ``EMLP(rep_in, rep_out, group=G)`` (Flax NNX needs
    an ``rngs``; a fixed one is supplied) applied to one point or a batch."""

    @staticmethod
    def EMLP(rep_in, rep_out, group, **kw):
        try:
            from flax import nnx
            from eqsolve import nn
        except ImportError:
            pytest.skip("JAX / Flax NNX are not installed")
        model = nn.EMLP(rep_in, rep_out, group, rngs=nnx.Rngs(0), **kw)

        def apply(x):
            x = np.asarray(x, dtype=np.float32)
            y = np.asarray(model(x[None] if x.ndim == 1 else x))
            return y[0] if x.ndim == 1 else y

        return apply


nn = _NN()
