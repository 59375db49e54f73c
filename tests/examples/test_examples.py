"""Every example in examples/ runs with tiny settings, so none can rot.

Convention (for everyone adding an example): each ``examples/*.py`` accepts ``--tiny``
(seconds of work, no downloads, no data it cannot do without: fall back to synthetic data or
exit 0 saying what is missing) and exits nonzero when something it shows is wrong. This test
discovers every ``examples/*.py`` and runs ``python examples/X.py --tiny`` in a subprocess
(the repository root on PYTHONPATH), failing on a nonzero exit.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_examples_are_discovered():
    names = {p.name for p in EXAMPLES}
    assert {"quickstart.py", "proofs.py", "relational.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_with_tiny_settings(path, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, str(path), "--tiny"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, (
        f"{path.name} --tiny exited {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n"
        f"--- stderr\n{proc.stderr[-3000:]}"
    )
