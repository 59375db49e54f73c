"""Which ported EMLP cases run by default.

The whole port (every group of EMLP's list, every case) takes minutes on 2 cores, mostly in
``test_high_rank_representations`` (every T(p, q) up to the size EMLP allows, per group) and in
EMLP's own dense ``rho_dense`` of large map reps. By default a representative fast subset runs
(FAST below: at least one finite permutation group, finite matrix group, compact, non-compact,
complex and Lorentz group per test); every other case is skipped with a reason and runs with

    EMLP_PORT_FULL=1 pytest tests/emlp_port
"""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `from _compat import ...`, `from test_emlp_equivariance import ...`

FULL = os.environ.get("EMLP_PORT_FULL", "") not in ("", "0")

# test function -> case ids (as pytest shows them) that run by default; functions not listed run
# every case by default
FAST = {
    "test_sum": {"SO3", "O3", "SU2", "U3", "SL2", "GL3", "C4", "D8", "S4", "Z6", "SO11p", "SO+1,1", "SO+1,3", "O1,3",
                 "Sp1", "Cube", "ZksZnxZn2,2", "RubiksCube"},
    "test_prod": {"SO3", "O2", "SU2", "U2", "SL2", "GL2", "C3", "D4", "S2", "Z4", "SO+1,1", "Sp1", "Cube"},
    "test_high_rank_representations": {"SO2", "O2", "C8", "D3", "S2", "Z2", "SO+1,1", "O1,1", "Cube", "ZksZnxZn2,2",
                                       "RubiksCube"},
    "test_equivariant_matrix": None,  # filled below: every case but the two largest
    "test_large_representations": set(),
}
SLOW_MATRIX_CASES = ("Sp2", "SO+1,3, V^2+4V")


def _case_id(item) -> str:
    name = item.name
    return name[name.index("[") + 1:-1] if "[" in name else ""


def pytest_collection_modifyitems(config, items):
    if FULL:
        return
    for item in items:
        if "emlp_port" not in str(item.fspath) or "equivariance" not in item.fspath.basename:
            continue
        func = item.originalname or item.name
        if func not in FAST:
            continue
        cid = _case_id(item)
        allowed = FAST[func]
        if allowed is None:
            keep = not any(cid.startswith(s) for s in SLOW_MATRIX_CASES)
        else:
            keep = cid in allowed
        if not keep:
            item.add_marker(pytest.mark.skip(reason="outside the default subset of the EMLP port; "
                                                    "run with EMLP_PORT_FULL=1"))
        else:
            item.add_marker(pytest.mark.slow)
