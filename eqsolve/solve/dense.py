"""Dense SVD nullspace solver (small blocks; the reference the others are checked against).

The nullspace is refined constraint by constraint: Q_0 = I, Q_{i+1} = Q_i N_i where N_i spans
the nullspace of C_i Q_i (an SVD of a (size x dim_i) matrix). Each C_i is applied matrix-free,
so the block is never Kronecker-expanded; only Q (size x dim_i) is dense.
"""

from __future__ import annotations

import numpy as np

from ..memory import check_fits
from ..reps.monomial import Monomial
from .basis import DenseBasis
from .constraints import block_constraints, residuals

RANK_RTOL = 1e-7


def nullspace(M: np.ndarray, rtol: float = RANK_RTOL) -> np.ndarray:
    """Orthonormal basis (n, k) of the nullspace of M (r, n) by SVD."""
    if M.shape[0] == 0:
        return np.eye(M.shape[1])
    # the full V is only needed when M has fewer rows than columns; a full U (rows x rows) for a
    # tall stack of constraints would be pure waste
    _, s, vt = np.linalg.svd(M, full_matrices=M.shape[0] < M.shape[1])
    scale = max(1.0, s[0] if len(s) else 0.0)
    rank = int((s > rtol * scale).sum())
    return vt[rank:].conj().T  # (conj is a no-op for real M; complex M: groups like U(n), SU(n))


def solve_dense(mono: Monomial, rtol: float = RANK_RTOL) -> DenseBasis:
    m = mono.size
    if 3 * m * m * 8 > 2**26:  # small solves skip reading /proc/meminfo (it costs more than they do)
        check_fits(
            3 * m * m * 8,
            f"dense SVD solve of a block of shape {mono.shape} (size {m})",
            "use method='krylov' (continuous groups) or 'orbit'/'pattern' (permutation groups)",
        )
    cons = block_constraints(mono)
    keep, rest = diagonal_reduction(mono, cons)
    if keep is None:
        Q = np.eye(m)
    else:  # diagonal constraints (e.g. the Cartan generators of U(n), SU(n)) keep coordinates
        Q = np.zeros((m, len(keep)))
        Q[keep, np.arange(len(keep))] = 1.0
    for c in rest:
        if Q.shape[1] == 0:
            break
        Q = Q @ nullspace(c.apply(Q), rtol)
    Q = _orthonormalize(Q)
    return DenseBasis(Q, residuals(cons, Q), method="dense")


def _is_diagonal(M) -> bool:
    return M is None or (M.ndim == 2 and np.count_nonzero(M - np.diag(np.diagonal(M))) == 0)


def diagonal_reduction(mono: Monomial, cons, tol: float = 1e-9):
    """Impose the constraints whose per-axis matrices are all diagonal exactly, in O(size) each.

    On the block such a constraint is diagonal too (a Kronecker sum or product of diagonals),
    so its solutions are spanned by the coordinates where the diagonal is 0 (Lie) or 1
    (group element). Returns (kept coordinate indices or None when no constraint is
    diagonal, the other constraints)."""
    keep_mask = None
    rest = []
    for c in cons:
        if not all(_is_diagonal(M) for M in c.mats):
            rest.append(c)
            continue
        diag = np.zeros(1) if c.lie else np.ones(1)
        for d, M in zip(mono.shape, c.mats):
            v = (np.zeros(d) if c.lie else np.ones(d)) if M is None else np.diagonal(M)
            diag = (diag[:, None] + v[None, :]).reshape(-1) if c.lie else (diag[:, None] * v[None, :]).reshape(-1)
        ok = np.abs(diag) <= tol if c.lie else np.abs(diag - 1) <= tol
        keep_mask = ok if keep_mask is None else keep_mask & ok
    if keep_mask is None:
        return None, rest
    return np.flatnonzero(keep_mask), rest


def solve_dense_stacked(mono: Monomial, rtol: float = RANK_RTOL) -> DenseBasis:
    """Plain textbook solver: form every constraint densely, stack, one SVD (benchmark baseline)."""
    m = mono.size
    check_fits(3 * m * m * 8 * max(1, len(block_constraints(mono))), f"stacked dense SVD of size {m}")
    cons = block_constraints(mono)
    eye = np.eye(m)
    C = np.concatenate([c.apply(eye) for c in cons], axis=0) if cons else np.zeros((0, m))
    Q = nullspace(C, rtol)
    return DenseBasis(Q, residuals(cons, Q), method="dense-stacked")


def _orthonormalize(Q: np.ndarray) -> np.ndarray:
    if Q.shape[1] == 0:
        return Q
    q, r = np.linalg.qr(Q)
    return q[:, np.abs(np.diag(r)) > 1e-10]
