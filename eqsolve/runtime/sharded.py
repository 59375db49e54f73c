"""Running eqsolve programs on several devices and hosts with JAX's own distributed runtime.

Two ways of splitting work over a 1-D :class:`jax.sharding.Mesh`:

* **entry parallel** (sparse exchangeable layers): the observed entries of a sparse tensor
  (``x`` (nnz, C), one index array per axis, pooling weights) are split in equal contiguous
  blocks over the mesh axis; parameters are replicated. Inside :func:`jax.shard_map` every pool
  is a local segment sum followed by :func:`cross_device_sum` (``lax.psum``) over the axis, so
  the pooled tables are identical on every device and each device holds only nnz / P entries.
* **data parallel** (the dense pooling runtime, :func:`data_parallel`): the batch axis is split,
  each device applies the same replicated weights to its samples; no communication forward,
  the weight gradients are summed over devices by JAX's transpose of the replication.

Gradients are never reduced by hand: a loss computed from ``shard_map`` outputs is
differentiated by JAX, which inserts the cross-device sums of the replicated parameters'
cotangents.

Several processes (hosts) join with :func:`initialize_distributed` (``jax.distributed``); the
mesh then spans every process's devices and the functions here place host (numpy) data
as global arrays with :func:`jax.make_array_from_callback`, each process supplying its own
shards. On CPU the cross-process collectives use gloo.

Entry counts must be a multiple of the mesh size: :func:`pad_entries` pads with zeros (pad
entries carry pooling weight 0, so they change no pool, and their outputs are dropped).
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

__all__ = [
    "ENTRY_AXIS",
    "initialize_distributed",
    "entry_mesh",
    "padded_length",
    "pad_entries",
    "put_sharded",
    "put_replicated",
    "to_host",
    "cross_device_sum",
    "data_parallel",
    "memory_per_device",
]

ENTRY_AXIS = "entries"


def initialize_distributed(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    local_devices: int | None = None,
    timeout_s: int = 300,
) -> None:
    """Join a multi-process JAX run (``jax.distributed.initialize``); call before any JAX work.

    ``local_devices``: on CPU, the number of devices this process exposes
    (``jax_num_cpu_devices``); ignored on GPU/TPU, where the hardware decides. Arguments left
    ``None`` are read by JAX from its environment (``JAX_COORDINATOR_ADDRESS``,
    ``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``) or from a cluster manager (Slurm, Open MPI,
    Cloud TPU). On CPU the cross-process collectives are gloo
    (``jax_cpu_collectives_implementation``).
    """
    if num_processes is not None and num_processes < 1:
        raise ValueError(f"num_processes must be >= 1, got {num_processes}")
    if process_id is not None and num_processes is not None and not 0 <= process_id < num_processes:
        raise ValueError(f"process_id {process_id} is outside 0..{num_processes - 1}")
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    if local_devices is not None:
        jax.config.update("jax_num_cpu_devices", int(local_devices))
    jax.distributed.initialize(coordinator_address, num_processes, process_id, initialization_timeout=int(timeout_s))


def entry_mesh(devices: int | None = None, axis: str = ENTRY_AXIS) -> Mesh:
    """A 1-D mesh over the first ``devices`` global devices (default: all of them)."""
    avail = jax.devices()
    n = len(avail) if devices is None else int(devices)
    if not 1 <= n <= len(avail):
        raise ValueError(
            f"asked for {devices} devices but JAX sees {len(avail)} "
            f"({avail[0].platform}); on CPU set XLA_FLAGS=--xla_force_host_platform_device_count=N "
            f"before JAX starts, or use several processes (jax.distributed)"
        )
    return Mesh(np.asarray(avail[:n]), (axis,))


def padded_length(n: int, mesh: Mesh) -> int:
    """The smallest multiple of the mesh size that is >= n (and >= the mesh size)."""
    p = int(mesh.size)
    return max(p, -(-int(n) // p) * p)


def pad_entries(tree, length: int):
    """Zero-pad every array in ``tree`` along axis 0 to ``length`` (host numpy arrays)."""

    def pad(a):
        a = np.asarray(a)
        if a.shape[0] > length:
            raise ValueError(f"cannot pad {a.shape[0]} entries down to {length}")
        return np.concatenate([a, np.zeros((length - a.shape[0],) + a.shape[1:], a.dtype)])

    return jax.tree.map(pad, tree)


def _put(a, sharding):
    a = np.asarray(a)
    return jax.make_array_from_callback(a.shape, sharding, lambda idx: a[idx])


def put_sharded(tree, mesh: Mesh, axis: str = ENTRY_AXIS):
    """Host arrays (same on every process) -> global arrays split along axis 0 over ``axis``.

    Every leading dimension must be a multiple of the mesh size (see :func:`pad_entries`).
    """

    def put(a):
        a = np.asarray(a)
        if a.shape[0] % mesh.shape[axis]:
            raise ValueError(
                f"an array of {a.shape[0]} entries cannot be split over {mesh.shape[axis]} devices; "
                f"pad it with pad_entries(tree, padded_length(n, mesh)) (pad entries get weight 0)"
            )
        return _put(a, NamedSharding(mesh, P(axis)))

    return jax.tree.map(put, tree)


def put_replicated(tree, mesh: Mesh):
    """Host or device arrays -> global arrays holding the full value on every mesh device."""
    sharding = NamedSharding(mesh, P())
    return jax.tree.map(lambda a: _put(to_host(a), sharding), tree)


def to_host(tree):
    """Numpy copies of (possibly multi-process) global arrays.

    A replicated array is read from one local copy; an array split over processes is gathered
    (``multihost_utils.process_allgather``) — every process must call this together then.
    """

    def get(a):
        if not isinstance(a, jax.Array):
            return np.asarray(a)
        if a.is_fully_addressable:
            return np.asarray(a)
        if a.is_fully_replicated:
            return np.asarray(a.addressable_data(0))
        return np.asarray(multihost_utils.process_allgather(a, tiled=True))

    return jax.tree.map(get, tree)


def cross_device_sum(x, axis_name):
    """``lax.psum`` over ``axis_name`` inside ``shard_map``; the identity when it is None."""
    return x if axis_name is None else jax.lax.psum(x, axis_name)


def data_parallel(fn: Callable, mesh: Mesh, axis: str = ENTRY_AXIS) -> Callable:
    """``fn(params, x)`` with ``x`` split over the devices along its leading (batch) axis.

    ``params`` (any pytree) is replicated; ``fn`` must act on each sample independently
    (as every ``eqsolve.nn.Linear`` / ``LinearProgram`` does), so no communication is needed
    forward, and ``jax.grad`` of a loss of the result sums the parameter gradients over devices.
    The batch size must be a multiple of the mesh size.
    """

    def call(params, x):
        if x.shape[0] % mesh.shape[axis]:
            raise ValueError(
                f"batch of {x.shape[0]} cannot be split over {mesh.shape[axis]} devices; "
                f"use a multiple of {mesh.shape[axis]}"
            )
        return jax.shard_map(local, mesh=mesh, in_specs=(P(), P(axis)), out_specs=P(axis))(params, x)

    def local(params, x):
        # the weights enter as device-varying copies: custom VJPs of the runtime (pattern blocks)
        # then return varying cotangents as their types require, and the transpose of this cast
        # is the cross-device sum of the weight gradients
        return fn(jax.lax.pcast(params, axis, to="varying"), x)

    return call


def memory_per_device(compiled) -> Mapping[str, int]:
    """Bytes per device of a compiled program (``jax.jit(f).lower(...).compile()``).

    Keys: ``argument``, ``output``, ``temp``, ``alias``, ``generated_code`` and ``total`` =
    argument + output + temp - alias (the buffers live during one call on one device).
    """
    m = compiled.memory_analysis()
    if m is None:
        raise ValueError("this backend gives no memory analysis for compiled programs")
    out = {
        "argument": int(m.argument_size_in_bytes),
        "output": int(m.output_size_in_bytes),
        "temp": int(m.temp_size_in_bytes),
        "alias": int(m.alias_size_in_bytes),
        "generated_code": int(m.generated_code_size_in_bytes),
    }
    out["total"] = out["argument"] + out["output"] + out["temp"] - out["alias"]
    return out
