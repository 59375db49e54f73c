"""``sparsify_basis``: a sparse, readable basis of the same span (EMLP's name).

EMLP rotates Q by a learned orthogonal W and rounds; here the answer is exact and
deterministic:

1. *Sign-pattern form.* Draw a generic vector v = Q c of the span. When the span has a basis of
   vectors with disjoint supports and entries +-s (orbit indicators, the Levi-Civita tensor,
   circulant patterns, ...), |v| is constant on each support and generically different across
   supports, so grouping coordinates by |v_i| recovers the supports and sign(v_i) the signs.
   The candidate (entries 0 and +-1) is accepted only if it has dim columns and lies in the
   span (projection residual below ``tol``).
2. Otherwise the *reduced column echelon form*: Q' = Q Q[P]^-1 for r well-conditioned pivot
   rows P (column pivoted QR of Q^T) -- the identity on the pivots, exact span, mostly sparse.

Either way the columns are scaled to max |entry| = 1 and entries below ``tol`` are set to 0.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

__all__ = ["sparsify_basis"]


def _dense(Q) -> np.ndarray:
    if hasattr(Q, "dense") and callable(Q.dense):
        return np.asarray(Q.dense())
    return np.asarray(Q)


def _sign_pattern(Q: np.ndarray, rng, tol: float) -> np.ndarray | None:
    n, r = Q.shape
    v = Q @ rng.normal(size=r)
    a = np.abs(v)
    scale = a.max()
    if scale == 0:
        return None
    order = np.argsort(a)
    vals = a[order]
    breaks = np.flatnonzero(np.diff(vals) > 1e-7 * scale) + 1
    groups = np.split(order, breaks)
    cols = []
    for g in groups:
        if a[g[0]] <= 1e-9 * scale:  # the zero coordinates
            continue
        col = np.zeros(n)
        col[g] = np.sign(v[g])
        cols.append(col)
    if len(cols) != r:
        return None
    S = np.stack(cols, axis=1)
    # accept only if every column lies in span(Q) (orthonormal Q: residual of the projection)
    Qo, _ = np.linalg.qr(Q)
    resid = S - Qo @ (Qo.T @ S)
    if np.abs(resid).max() > tol:
        return None
    return S


def _echelon(Q: np.ndarray) -> np.ndarray:
    r = Q.shape[1]
    _, _, piv = scipy.linalg.qr(Q.T, pivoting=True, mode="economic")
    P = np.sort(piv[:r])
    return Q @ np.linalg.inv(Q[P])


def sparsify_basis(Q, seed: int = 0, tol: float = 1e-7) -> np.ndarray:
    """A sparse basis (n, r) spanning the same space as Q.

    Args:
        Q: (n, r) basis with independent columns (an array, or a basis object with ``dense()``).
        seed: seed of the generic combination used to find sign patterns.
        tol: entries below it are zeroed; residual allowed for the sign-pattern form.

    Returns:
        (n, r) float64 columns with max |entry| = 1: entries in {0, +-1} when the span has such
        a basis with disjoint supports, else the reduced column echelon form.
    """
    Q = _dense(Q)
    if Q.ndim != 2:
        raise ValueError(f"sparsify_basis needs an (n, r) basis, got shape {Q.shape}")
    if np.iscomplexobj(Q):
        raise TypeError("sparsify_basis works on real bases; this one is complex")
    Q = np.asarray(Q, dtype=np.float64)
    if Q.shape[1] == 0:
        return Q.copy()
    S = _sign_pattern(Q, np.random.default_rng(seed), tol)
    if S is None:
        S = _echelon(Q)
    S = S / np.abs(S).max(axis=0, keepdims=True)
    S[np.abs(S) < tol] = 0.0
    return np.round(S, 12) + 0.0  # equal entries print equal; no -0.0
