"""One of two processes joined by ``jax.distributed`` on 127.0.0.1, each with 4 CPU devices.

``python multiprocess_worker.py PORT PROCESS_ID OUT.npz``: runs the entry-sharded training of
``sharded_problem`` on the 8-device mesh spanning both processes; process 0 writes the results
(logits, gradients, weights, losses, host numpy) to OUT.npz.
"""

import sys

from eqsolve.runtime.sharded import entry_mesh, initialize_distributed

if __name__ == "__main__":
    port, pid, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    initialize_distributed(f"127.0.0.1:{port}", num_processes=2, process_id=pid, local_devices=4, timeout_s=60)
    import jax
    import numpy as np

    import sharded_problem as sp

    assert jax.process_count() == 2 and jax.device_count() == 8 and jax.local_device_count() == 4
    res = sp.run(entry_mesh())
    if pid == 0:
        flat = {"/".join(str(k) for k in path): np.asarray(v) for path, v in jax.tree_util.tree_leaves_with_path(res)}
        np.savez(out, **flat)
    jax.distributed.shutdown()
    print(f"process {pid} done")
