"""Command-line options for running on several devices and processes (``jax.distributed``).

``--devices N`` splits the work over N devices (on a CPU-only machine: N virtual CPU devices).
Several processes (hosts) join with ``--coordinator-address HOST:PORT --num-processes P
--process-id K`` (or JAX's environment variables ``JAX_COORDINATOR_ADDRESS``,
``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``, or a cluster manager JAX detects: Slurm, Open MPI,
Cloud TPU); ``--devices`` then counts the devices of all processes together (default: all).
"""

from __future__ import annotations

import os

__all__ = ["add_distributed_arguments", "mesh_from_args"]

_ENV = ("JAX_COORDINATOR_ADDRESS", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID")


def add_distributed_arguments(p) -> None:
    g = p.add_argument_group("devices and processes")
    g.add_argument(
        "--devices",
        type=int,
        default=None,
        help="split the observed entries over this many devices (all processes together); "
        "default 1, or every device when several processes run",
    )
    g.add_argument(
        "--coordinator-address",
        default=None,
        help="HOST:PORT of process 0 (jax.distributed); or set JAX_COORDINATOR_ADDRESS",
    )
    g.add_argument("--num-processes", type=int, default=None, help="number of processes (JAX_NUM_PROCESSES)")
    g.add_argument("--process-id", type=int, default=None, help="this process, 0..P-1 (JAX_PROCESS_ID)")
    g.add_argument(
        "--local-devices",
        type=int,
        default=None,
        help="CPU only: devices this process exposes (default: --devices, or 1 per process)",
    )


def mesh_from_args(args):
    """Start the devices / processes the options ask for; the mesh to split entries over, or
    None for one device. Call before anything runs on JAX."""
    import jax

    from ..runtime.sharded import entry_mesh, initialize_distributed

    multi = args.coordinator_address is not None or args.num_processes is not None or any(v in os.environ for v in _ENV)
    if args.devices is not None and args.devices < 1:
        raise ValueError(f"--devices must be >= 1, got {args.devices}")
    if args.local_devices is not None and args.local_devices < 1:
        raise ValueError(f"--local-devices must be >= 1, got {args.local_devices}")
    if multi:
        local = args.local_devices
        if local is None and args.devices is not None and args.num_processes:
            local = max(1, args.devices // args.num_processes)
        initialize_distributed(args.coordinator_address, args.num_processes, args.process_id, local)
        return entry_mesh(args.devices)
    if args.process_id is not None:
        raise ValueError("--process-id needs --coordinator-address and --num-processes")
    devices = args.devices or 1
    if devices == 1:
        return None
    try:  # CPU: expose that many devices (GPUs / TPUs are what the machine has)
        jax.config.update("jax_num_cpu_devices", args.local_devices or devices)
    except RuntimeError:  # JAX already runs in this process (called from Python): use the devices it has
        pass
    return entry_mesh(devices)
