"""``eqsolve train --devices 8`` and two ``jax.distributed`` processes give the one-device model."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parent.parent.parent
ARGS = [
    "train",
    "--seed",
    "0",
    "--steps",
    "6",
    "--eval-every",
    "3",
    "--ch",
    "16",
    "--layers",
    "3",
    "--no-progress",
    "--count-features",
]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["XLA_FLAGS"] = "--xla_backend_optimization_level=0"  # faster compiles, same for every run
    env["JAX_PLATFORMS"] = "cpu"
    return env


def _start(args):
    return subprocess.Popen(
        [sys.executable, "-m", "eqsolve.cli", *args],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(procs, timeout=300):
    logs = []
    try:
        for p in procs:
            _, err = p.communicate(timeout=timeout)
            logs.append(err[-2000:])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    assert all(p.returncode == 0 for p in procs), "\n----\n".join(logs)


def _result(workdir: Path):
    from eqsolve.ratings.train.checkpoint import CHECKPOINT_NAME

    metrics = json.loads((workdir / "metrics.json").read_text())
    with np.load(workdir / CHECKPOINT_NAME, allow_pickle=False) as z:
        params = [z[k] for k in sorted((k for k in z.files if k.startswith("params/")), key=lambda k: int(k[7:]))]
    return metrics["val_rmse"], params


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_devices_and_processes_match_one_device(tmp_path):
    one, eight, two = tmp_path / "one", tmp_path / "eight", tmp_path / "two"
    port = _free_port()
    _finish([_start([*ARGS, "--devices", "1", "--workdir", str(one)])])
    _finish([_start([*ARGS, "--devices", "8", "--workdir", str(eight)])])
    _finish(
        [
            _start(
                [
                    *ARGS,
                    "--devices",
                    "8",
                    "--workdir",
                    str(two),
                    "--coordinator-address",
                    f"127.0.0.1:{port}",
                    "--num-processes",
                    "2",
                    "--process-id",
                    str(k),
                ]
            )
            for k in (0, 1)
        ]
    )
    ref_rmse, ref = _result(one)
    for run in (eight, two):
        rmse, params = _result(run)
        assert abs(rmse - ref_rmse) <= 1e-4 * ref_rmse, (run.name, rmse, ref_rmse)
        assert len(params) == len(ref)
        err = max(float(np.max(np.abs(a - b))) for a, b in zip(params, ref))
        scale = max(float(np.max(np.abs(b))) for b in ref)
        assert err <= 1e-5 * scale, (run.name, err / scale)


def test_devices_option_is_checked(tmp_path):
    from eqsolve.cli import main

    assert main(["train", "--devices", "0", "--workdir", str(tmp_path)]) == 2
    assert main(["train", "--process-id", "1", "--workdir", str(tmp_path)]) == 2
