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
