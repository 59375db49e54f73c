"""Entry-sharded exchangeable models and data-parallel dense layers equal one device.

Multi-device runs need ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` before JAX
starts, so they run in subprocesses (the rest of the suite keeps one device); the
2-process test starts two ``jax.distributed`` processes on 127.0.0.1 itself.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TOL = 1e-5


def _env(devices: int | None = None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    # optimization level 0: compiles ~2x faster; the single-device reference is compiled alike
    flags = "--xla_backend_optimization_level=0"
    if devices:
        flags += f" --xla_force_host_platform_device_count={devices}"
    env["XLA_FLAGS"] = flags
    env["JAX_PLATFORMS"] = "cpu"
    return env


@pytest.mark.slow
def test_sharded_equals_single_device_on_1_2_4_8_devices():
    """Forward, gradients and 20 Adam steps: sparse exchangeable model (entries split, pools
    psum'd, nnz=203 padded) and data-parallel nn.Linear layers, each on 1/2/4/8 devices."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "sharded_worker.py"), "1", "2", "4", "8"],
        env=_env(8),
        capture_output=True,
        text=True,
        timeout=600,
    )
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and line, proc.stderr[-3000:]
    res = json.loads(line[0][len("RESULT ") :])
    for kind in ("sparse", "dense"):
        assert sorted(res[kind]) == ["1", "2", "4", "8"]
        for p, errs in res[kind].items():
            assert set(errs) == {"logits", "grads", "params", "losses"}
            for what, err in errs.items():
                assert err <= TOL, f"{kind} on {p} devices: {what} relative error {err:.2e}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_match_single_process(tmp_path):
    """jax.distributed: 2 processes x 4 CPU devices (gloo) train the sharded model; the result
    equals the single-process, single-device run."""
    import sharded_problem as sp

    out = tmp_path / "mp.npz"
    port = _free_port()
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "multiprocess_worker.py"), str(port), str(pid), str(out)],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid in (0, 1)
    ]
    logs = []
    try:
        for p in procs:
            o, e = p.communicate(timeout=300)
            logs.append(e[-2000:])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    assert all(p.returncode == 0 for p in procs), "\n----\n".join(logs)
    got = np.load(out)
    ref = sp.run(None)
    import jax

    flat = {"/".join(str(k) for k in path): np.asarray(v) for path, v in jax.tree_util.tree_leaves_with_path(ref)}
    assert sorted(flat) == sorted(got.files)
    for group in ("logits", "grads", "params", "losses"):
        keys = [k for k in flat if k.startswith(f"['{group}']")]
        assert keys
        err = sp.rel_err([got[k] for k in keys], [flat[k] for k in keys])
        assert err <= TOL, f"2 processes: {group} relative error {err:.2e}"
