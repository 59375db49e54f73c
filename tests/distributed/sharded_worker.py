"""Run in a subprocess with XLA_FLAGS=--xla_force_host_platform_device_count=8: compare the
single-device runs with sharded runs on the given device counts; print one JSON line.

``sparse``: entry-sharded exchangeable model (sharded_problem); ``dense``: batch-sharded
(data-parallel) ``eqsolve.nn.Linear`` layers (dense_problem)."""

import json
import sys

import jax

import dense_problem as dp
import sharded_problem as sp
from eqsolve.runtime.sharded import entry_mesh

if __name__ == "__main__":
    counts = [int(c) for c in sys.argv[1:]] or [1, 2, 4, 8]
    if jax.device_count() < max(counts):
        raise SystemExit(f"need {max(counts)} devices, JAX sees {jax.device_count()}")
    res = {}
    for name, mod in (("sparse", sp), ("dense", dp)):
        ref = mod.run(None)
        res[name] = {str(p): sp.compare(mod.run(entry_mesh(p)), ref) for p in counts}
    print("RESULT " + json.dumps(res))
