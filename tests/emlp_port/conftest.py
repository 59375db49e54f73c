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

# test function -> case ids (as pytest shows them) that run by default; every case of a function
# not listed runs by default (test_sum, test_prod: all 42 groups each)
FAST = {
    # T(p, q) up to EMLP's size limit for: permutation groups (S(4), Z(2), Cube, the GCNN groups), finite
    # matrix groups (D(3)), compact (O(2), SO(4), O(4)), non-compact Lorentz (SO+(1,3)); the complex, SL/GL
    # and Sp cases take 10-110 s each under load and run with EMLP_PORT_FULL=1
    "test_high_rank_representations": {
        "O2",
        "SO4",
        "O4",
        "S4",
        "Z2",
        "D3",
        "Cube",
        "ZksZnxZn2,2",
        "ZksZnxZn4,4",
        "SO+1,3",
    },
    "test_equivariant_matrix": None,  # every case but SLOW_MATRIX_CASES
    # uniform_rep(256, G) maps: 2-7 s per group under load
    "test_large_representations": {"SO3", "SU2", "SL2", "Cube"},
}
SLOW_MATRIX_CASES = ("Sp2", "SO+1,3, V^2+4V")  # 34 s and 6 s under load: EMLP's own dense rho of a size-6716 map


def _case_id(item) -> str:
    name = item.name
    return name[name.index("[") + 1 : -1] if "[" in name else ""


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
            item.add_marker(
                pytest.mark.skip(reason="outside the default subset of the EMLP port; run with EMLP_PORT_FULL=1")
            )
