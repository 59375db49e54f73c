"""Solver benchmark: eqsolve's structured / matrix-free solvers against the textbook dense SVD.

For each case it prints the rep size, the basis dimension, the seconds of ``solve_basis``
(method ``auto``, caches off, median of several repeats), the method(s) used, and the same
for the textbook dense solver run in this process: every generator's constraint formed densely
on the whole rep, stacked, one SVD (``solve_dense_stacked`` when the rep is a single block),
with the ratio dense / eqsolve. The dense baseline is skipped, with a note, when its stacked
matrix would not fit in memory or it would take more than 60 s (estimated from a flop count).

Single-threaded BLAS for fairness (the variables are set before numpy is imported).

    .venv/bin/python benchmarks/solve.py            # all cases
    .venv/bin/python benchmarks/solve.py --quick    # fewer repeats
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from eqsolve.groups import (
    GL,
    O,
    S,
    SL,
    SO,
    SU,
    Cube,
    D,
    Lorentz,
    RubiksCube,
    SO11p,
    WreathProduct,
    Z,  # noqa: E402
    ZksZnxZn,
)
from eqsolve.memory import available_bytes, human  # noqa: E402
from eqsolve.reps import T, V, Scalar  # noqa: E402
from eqsolve.solve import clear_memory, solve_basis  # noqa: E402
from eqsolve.solve.dense import nullspace, solve_dense_stacked  # noqa: E402

DENSE_LIMIT_S = 60.0
FLOPS_PER_S = 1e10  # single-core LAPACK rate measured here (SVD), only used to decide whether to skip


def cases():
    X10 = V(S(10, label="r")) * V(S(10, label="c"))
    X100 = V(S(100, label="r")) * V(S(100, label="c"))
    X456 = V(S(4, label="a")) * V(S(5, label="b")) * V(S(6, label="c"))
    so3 = SO(3)
    mix = T(2, 0, so3) + T(1, 0, so3) + 5 * Scalar(so3)
    return [
        ("S(5) T2->T2", T(2, 0, S(5)) >> T(2, 0, S(5))),
        ("S(20) T2->T2", T(2, 0, S(20)) >> T(2, 0, S(20))),
        ("S(10)xS(10) mat->mat", X10 >> X10),
        ("S(100)xS(100) mat->mat", X100 >> X100),
        ("S(4)xS(5)xS(6) ten->ten", X456 >> X456),
        ("SO(3) T4 invariants", T(4, 0, so3)),
        ("SO(3) T5 invariants", T(5, 0, so3)),
        ("O(5) T2->T2", T(2, 0, O(5)) >> T(2, 0, O(5))),
        ("O(1,3) T2->T2", T(2, 0, Lorentz()) >> T(2, 0, Lorentz())),
        ("SO(3) (T2+T1+5T0)->same", mix >> mix),
        ("Z(8) V->V", V(Z(8)) >> V(Z(8))),
        ("RubiksCube V->V", V(RubiksCube()) >> V(RubiksCube())),
    ]


def extra_cases():
    """Beyond the issue's list: the closed-form cyclic path on larger cyclic groups (where dense
    SVD is not trivially small), and continuous-group blocks far past dense sizes."""
    X = V(S(3)) * V(SO(3))
    return [
        ("Z(16) V->V", V(Z(16)) >> V(Z(16))),
        ("Z(32) V->V", V(Z(32)) >> V(Z(32))),
        ("SO(3) T8 invariants", T(8, 0, SO(3))),
        ("SO(3) T9 invariants", T(9, 0, SO(3))),
        ("SO(3) T10 invariants", T(10, 0, SO(3))),
        ("O(6) T2->T4", T(2, 0, O(6)) >> T(4, 0, O(6))),
        ("S(3)xSO(3) T2->T2", (X * X) >> (X * X)),
    ]


def new_group_cases():
    """The groups added for EMLP parity (issue 16) and the wreath products."""
    W = WreathProduct(S(3), S(4))
    return [
        ("D(8) T4 invariants", T(4, 0, D(8))),
        ("SO+(1,1) T6 invariants", T(6, 0, SO11p())),
        ("SL(3) T(2,2) invariants", T(2, 2, SL(3))),
        ("GL(3) T(3,3) invariants", T(3, 3, GL(3))),
        ("SU(3) T(3,3) invariants", T(3, 3, SU(3))),
        ("Cube T2->T2", T(2, 0, Cube()) >> T(2, 0, Cube())),
        ("ZksZnxZn(4,4) V->V", V(ZksZnxZn(4, 4)) >> V(ZksZnxZn(4, 4))),
        ("S(3)wrS(4) T2->T2", T(2, 0, W) >> T(2, 0, W)),
    ]


def large_cases():
    """Opt-in (``--large``): SO(3) T11, 177,147 x 1,585 (a 2.2 GB basis; ~4.5 GB peak)."""
    return [("SO(3) T11 invariants", T(11, 0, SO(3)))]


def timed(fn, repeats: int, warmup: bool = True):
    """Median seconds of ``repeats`` calls (caches cleared before each). With ``warmup``, untimed
    calls first (at least one, and for fast calls until 20 ms have passed), so that lazy imports
    and cold CPU caches after the previous case are not charged to a microsecond-scale solve;
    eqsolve and the dense baseline are timed the same way."""
    if warmup:
        start = time.perf_counter()
        while True:
            clear_memory()
            fn()
            if time.perf_counter() - start > 0.02:
                break
    times, out = [], None
    for _ in range(repeats):
        clear_memory()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def dense_estimate(rep) -> tuple[float, int]:
    """(estimated seconds, bytes) of the textbook dense solve of the whole rep."""
    m = rep.size()
    G = rep.G
    r = m * max(1, len(G.discrete_generators) + len(G.lie_algebra))
    return (4.0 * r * m * m + 22.0 * m**3) / FLOPS_PER_S, (2 * r * m + 2 * m * m) * 8


def dense_textbook(rep):
    """The textbook solver on the whole rep (no block splitting): every generator of rep.G as a
    dense (size, size) constraint (rho(h) - I or drho(A)), stacked, one SVD. For a rep with a
    single block this is exactly ``solve_dense_stacked``. Returns the nullspace dimension."""
    G = rep.G
    m = rep.size()
    eye = np.eye(m)
    C = [rep.rho(h) - eye for h in G.discrete_generators] + [rep.drho(A) for A in G.lie_algebra]
    if len(rep.monomials) == 1:
        return solve_dense_stacked(rep.monomials[0]).dim
    return nullspace(np.concatenate(C, axis=0)).shape[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--large", action="store_true", help="also SO(3) T11 (one run, ~20 s, ~4.5 GB)")
    args = ap.parse_args(argv)
    fast_rep, dense_rep = (3, 1) if args.quick else (7, 3)
    print(f"# eqsolve solver benchmark (single-threaded BLAS; median of {fast_rep} runs, dense {dense_rep})")
    hdr = (
        f"{'case':26s} {'size':>14s} {'dim':>5s} {'eqsolve s':>10s} {'method':>14s} {'max resid':>9s} "
        f"{'dense SVD s':>11s} {'ratio':>9s}  note"
    )
    print(hdr)
    print("-" * len(hdr))
    rows = []
    all_cases = [(n, r, fast_rep) for n, r in cases()] + [(n, r, 3) for n, r in extra_cases()]
    all_cases += [(n, r, 3) for n, r in new_group_cases()]
    if args.large:
        all_cases += [(n, r, 1) for n, r in large_cases()]
    for name, rep, n_rep in all_cases:
        t, basis = timed(lambda: solve_basis(rep, cache=False), n_rep)
        res = basis.residuals
        resid = float(np.nanmax(res)) if len(res) else 0.0
        est, nbytes = dense_estimate(rep)
        note, td, ratio = "", None, None
        if nbytes > available_bytes() // 2:
            note = f"dense skipped: needs {human(nbytes)}"
        elif est > DENSE_LIMIT_S:
            note = f"dense skipped: ~{est:.0f} s estimated"
        else:
            reps_ = 1 if est > 10.0 else dense_rep if est > 1.0 else fast_rep
            td, ddim = timed(lambda: dense_textbook(rep), reps_, warmup=est < 1.0)
            ratio = td / t
            if ddim != basis.dim:
                note = f"DIM MISMATCH dense={ddim}"
        methods = "+".join(sorted(basis.methods))
        size = rep.size()
        print(
            f"{name:26s} {size:>14,d} {basis.dim:>5d} {t:>10.3g} {methods:>14s} {resid:>9.1e} "
            f"{(f'{td:.3g}' if td is not None else '-'):>11s} {(f'{ratio:.0f}x' if ratio and ratio >= 10 else f'{ratio:.1f}x' if ratio else '-'):>9s}  {note}",
            flush=True,
        )
        rows.append((name, size, basis.dim, t, methods, td, ratio, note))
    return rows


if __name__ == "__main__":
    main()
