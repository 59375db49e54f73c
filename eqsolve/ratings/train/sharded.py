"""Training and prediction of the ratings models with the entries split over a device mesh.

The same steps as on one device (:mod:`.steps`, built with ``mesh``): the model runs inside
``jax.shard_map`` on each device's block of entries, every pool is a local segment sum plus a
cross-device sum, parameters and optimizer state are replicated, JAX reduces the gradients.
The random mask of a step is drawn over the global entry array (counter-based PRNG), so a
padded, split batch hides exactly the entries the one-device run hides: results agree to float
rounding. Works unchanged over several processes (``jax.distributed``; every process holds the
same host data and supplies its own devices' shards).

:class:`ShardedFns` has the interface of the one-device functions (``step``, ``pred``) and
moves host data onto the mesh; :func:`place_batch` places a training batch once.
"""

from __future__ import annotations


__all__ = ["ShardedFns", "place_batch", "replicate", "host", "writes_files"]

_ENTRY_KEYS = ("u", "i", "level", "valid", "fixed", "hidden", "w")


def place_batch(batch: dict, mesh) -> dict:
    """A batch dict (entry arrays + optional ``side`` tables) on the mesh: entry arrays zero-padded
    to a multiple of the mesh size (pad entries: valid 0, weight 0, not hidden) and split; the
    side tables replicated."""
    from ...runtime.sharded import pad_entries, padded_length, put_replicated, put_sharded, to_host

    entries = {k: to_host(v) for k, v in batch.items() if k in _ENTRY_KEYS}
    n = len(next(iter(entries.values())))
    out = put_sharded(pad_entries(entries, padded_length(n, mesh)), mesh)
    if batch.get("side") is not None:
        out["side"] = put_replicated(tuple(batch["side"]), mesh)
    return out


def replicate(tree, mesh):
    """Parameters / optimizer state / keys as copies on every mesh device."""
    from ...runtime.sharded import put_replicated

    return put_replicated(tree, mesh)


def host(tree):
    """Numpy copies (for checkpoints) of replicated global arrays."""
    from ...runtime.sharded import to_host

    return to_host(tree)


def writes_files() -> bool:
    """Whether this process writes checkpoints and reports: the first process (or the only one)."""
    import jax

    return jax.process_index() == 0


class ShardedFns:
    """``step`` / ``pred`` of :class:`.steps._Fns` built with ``mesh``, taking host data.

    ``step(params, state, batch, key, sizes, lr)``: ``params`` / ``state`` replicated (see
    :func:`replicate`), ``batch`` placed by :func:`place_batch`; returns the loss as a host
    float. ``pred(params, batch, sizes, fkey)``: a host batch (placed here) -> host predictions.
    """

    def __init__(self, fns, mesh):
        self.fns, self.mesh = fns, mesh

    def step(self, params, state, batch, key, sizes, lr):
        params, state, loss = self.fns.step(
            params, state, batch, replicate(key, self.mesh), sizes, replicate(lr, self.mesh)
        )
        return params, state, float(host(loss))

    def pred(self, params, batch, sizes, fkey):
        n = len(batch["u"])
        out = self.fns.pred(params, place_batch(batch, self.mesh), sizes, replicate(fkey, self.mesh))
        return host(out)[:n]
