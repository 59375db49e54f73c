"""What the ported EMLP tests import besides eqsolve: a ``vmap`` for numpy functions, the
EMLP nn backends' call conventions on eqsolve's Flax NNX models, and the two pieces of torch /
oil that EMLP's model tests use to draw one minibatch (``DataLoader``, fixed seeds).

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


class _Batch(np.ndarray):
    """A stacked minibatch column with torch's ``.numpy()``."""

    def numpy(self):
        return np.asarray(self)


class DataLoader:
    """torch's ``DataLoader(ds, batch_size, num_workers, pin_memory)`` as EMLP's tests use it:
    consecutive (unshuffled) minibatches of ``ds[i]`` tuples, each column stacked."""

    def __init__(self, ds, batch_size=1, num_workers=0, pin_memory=False):
        self.ds, self.batch_size = ds, batch_size

    def __iter__(self):
        for start in range(0, len(self.ds), self.batch_size):
            items = [self.ds[i] for i in range(start, min(start + self.batch_size, len(self.ds)))]
            yield tuple(np.stack([np.asarray(col) for col in cols]).view(_Batch) for cols in zip(*items))


class FixedNumpySeed:
    """oil's ``FixedNumpySeed``: numpy's global seed inside the block, the old state restored after.
    (eqsolve's datasets take explicit seeds; this only matters for code that draws globally.)"""

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        self.state = np.random.get_state()
        np.random.seed(self.seed)

    def __exit__(self, *exc):
        np.random.set_state(self.state)


class FixedPytorchSeed(FixedNumpySeed):
    """oil's ``FixedPytorchSeed``: there is no torch here; the block runs unchanged."""

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass


def _nnx_emlp(rep_in, rep_out, group, seed=0, **kw):
    try:
        from flax import nnx
        from eqsolve import nn
    except ImportError:
        pytest.skip("JAX / Flax NNX are not installed")
    return nn.EMLP(rep_in, rep_out, group, rngs=nnx.Rngs(seed), **kw)


class _LinenStyleEMLP:
    """``emlp.nn.flax.EMLP``'s convention, ``params = net.init(key, x)`` and
    ``net.apply(params, x)``, on eqsolve's Flax NNX EMLP: ``init`` builds the model from the key's
    seed and returns it as the "params"; ``apply`` calls it."""

    def __init__(self, rep_in, rep_out, group, **kw):
        self.args, self.kw = (rep_in, rep_out, group), kw
        self._forward = None

    def init(self, key, x):
        import jax

        seed = int(np.asarray(jax.random.key_data(key)).ravel()[-1])
        return _nnx_emlp(*self.args, seed=seed, **self.kw)

    def apply(self, params, x):
        from flax import nnx

        if self._forward is None:
            self._forward = nnx.jit(lambda m, x: m(x))
        return self._forward(params, np.asarray(x, dtype=np.float32))


class _NN:
    """``emlp.nn`` as the model tests use it: ``EMLP(rep_in, rep_out, group=G)`` (Flax NNX needs
    an ``rngs``; a fixed one is supplied) applied to one point or a batch."""

    @staticmethod
    def EMLP(rep_in, rep_out, group, **kw):
        from flax import nnx

        model = _nnx_emlp(rep_in, rep_out, group, **kw)
        forward = nnx.jit(lambda m, x: m(x))  # one compile instead of one per eager op

        def apply(x):
            x = np.asarray(x, dtype=np.float32)
            y = np.asarray(forward(model, x[None] if x.ndim == 1 else x))
            return y[0] if x.ndim == 1 else y

        return apply


class _Backend:
    """``emlp.nn.objax`` / ``emlp.nn.flax``: the backend modules' ``EMLP``."""

    def __init__(self, EMLP):
        self.EMLP = EMLP


_NN.objax = _Backend(_NN.EMLP)
_NN.flax = _Backend(_LinenStyleEMLP)
nn = _NN()
