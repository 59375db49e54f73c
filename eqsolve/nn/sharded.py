"""Sparse exchangeable layers and models with the observed entries split over devices.

The entries (values ``x`` (nnz, C), one index array per axis, pooling weights (nnz,)) are
split in contiguous blocks over one axis of a :class:`jax.sharding.Mesh`
(:func:`eqsolve.runtime.sharded.entry_mesh`); parameters, PRNG keys and per-row/column tables
are replicated. Inside :func:`jax.shard_map` each pool is a local segment sum followed by a
sum over the mesh axis (the modules' ``axis_name``), so every device holds nnz/P entries and
the (N, C) / (M, C) pooled tables, never an N x M array. Outputs stay split like the entries.

``nnz`` must be a multiple of the mesh size: pad with
:func:`eqsolve.runtime.sharded.pad_entries` and give the pad entries pooling weight 0.

Differentiate through these functions as usual: JAX sums the replicated parameters'
gradients over the devices.

Example (one process, 8 CPU devices: ``XLA_FLAGS=--xla_force_host_platform_device_count=8``)::

    mesh = entry_mesh(8)
    logits = sharded_model_call(model, mesh, x, (users, items), (N, M), weights, key=key,
                                deterministic=False)
"""

from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as P

from ..runtime.sharded import ENTRY_AXIS
from .exchangeable import exchangeable_linear

__all__ = ["sharded_exchangeable_linear", "sharded_model_call", "entry_parallel"]


def _check(n: int, mesh: Mesh, axis: str):
    p = mesh.shape[axis]
    if n % p:
        raise ValueError(
            f"{n} entries cannot be split over {p} devices of mesh axis {axis!r}; pad them to a "
            f"multiple of {p} with eqsolve.runtime.sharded.pad_entries (pad entries get weight 0)"
        )


def entry_parallel(fn, mesh: Mesh, axis: str = ENTRY_AXIS):
    """``fn(replicated, entries) -> outputs`` run with ``entries`` (a pytree of arrays with the
    entry axis first) split over ``axis`` and ``replicated`` (any pytree) on every device.

    ``fn`` sees the local block of entries and must sum its pools over ``axis`` (pass
    ``axis_name=axis`` to the exchangeable functions / modules); its outputs are entry arrays,
    split the same way, returned as global arrays of the full length.
    """

    def call(replicated, entries):
        for leaf in jax.tree.leaves(entries):
            _check(leaf.shape[0], mesh, axis)
        return jax.shard_map(fn, mesh=mesh, in_specs=(P(), P(axis)), out_specs=P(axis))(replicated, entries)

    return call


def sharded_exchangeable_linear(
    params, x, index: Sequence, sizes: Sequence[int], weights, mesh: Mesh, axis: str = ENTRY_AXIS
):
    """:func:`eqsolve.nn.exchangeable_linear` with the entries split over ``mesh``.

    ``weights`` (nnz,) is required (pad entries must have weight 0). Returns (nnz, C_out).
    """
    sizes = tuple(int(s) for s in sizes)

    def local(p, e):
        return exchangeable_linear(p, e["x"], e["index"], sizes, e["w"], axis_name=axis)

    return entry_parallel(local, mesh, axis)(params, {"x": x, "index": tuple(index), "w": weights})


def sharded_model_call(
    model: nnx.Module,
    mesh: Mesh,
    x,
    index: Sequence,
    sizes: Sequence[int],
    weights,
    *,
    axis: str = ENTRY_AXIS,
    key=None,
    deterministic: bool = True,
    side=None,
    **static,
):
    """``model(x, index, sizes, weights, key=..., deterministic=..., side=..., axis_name=axis)``
    of a sparse exchangeable model (``SelfSupervisedExchangeable``, ``FactorizedExchangeable``,
    ``ExchangeableLinear``-like call) with the entries split over ``mesh``.

    ``key`` and ``side`` (per-row / per-column feature tables) are replicated; ``static``
    keyword arguments are passed as they are. Returns the entry outputs (nnz, ...).
    """
    graphdef, state = nnx.split(model)
    sizes = tuple(int(s) for s in sizes)

    def local(rep, e):
        m = nnx.merge(graphdef, rep["state"])
        kw = dict(static)
        if rep["key"] is not None:
            kw["key"] = rep["key"]
        if rep["side"] is not None:
            kw["side"] = rep["side"]
        return m(e["x"], e["index"], sizes, e["w"], deterministic=deterministic, axis_name=axis, **kw)

    if weights is None:
        weights = jnp.ones((x.shape[0],), x.dtype)
    return entry_parallel(local, mesh, axis)(
        {"state": state, "key": key, "side": side}, {"x": x, "index": tuple(index), "w": weights}
    )
