"""Continuous matrix groups: SO(n), O(n), Sp(m), the Lorentz groups O(1,3), SO(1,3), SO+(1,3)."""

from __future__ import annotations

import numpy as np

from .base import Group
from .permutation import _check_n


def _so_algebra(n: int) -> np.ndarray:
    """Basis of so(n): E_ij - E_ji for i < j, shape (n(n-1)/2, n, n)."""
    gens = []
    for i in range(n):
        for j in range(i + 1, n):
            A = np.zeros((n, n))
            A[i, j], A[j, i] = 1.0, -1.0
            gens.append(A)
    return np.array(gens).reshape(len(gens), n, n)


def SO(n: int, label: str | None = None) -> Group:
    """Special orthogonal group on R^n (Lie algebra only; connected)."""
    n = _check_n(n, "SO", lambda n: 8 * n**3 * (n - 1) // 2, "its Lie algebra (n(n-1)/2 matrices n x n)")
    return Group(None, _so_algebra(n), d=n, name=f"SO({n})", label=label, key=("SO", n))


class _FullOrthogonal(Group):
    """O(n) on R^n, which declares itself so (``is_full_orthogonal``)."""

    @property
    def is_full_orthogonal(self) -> bool:
        return True


def O(n: int, label: str | None = None) -> Group:
    """Orthogonal group on R^n: so(n) plus the reflection diag(-1, 1, ..., 1)."""
    n = _check_n(n, "O", lambda n: 8 * n**3 * (n - 1) // 2, "its Lie algebra (n(n-1)/2 matrices n x n)")
    R = np.eye(n)
    R[0, 0] = -1.0
    return _FullOrthogonal(R[None], _so_algebra(n), d=n, name=f"O({n})", label=label, key=("O", n))


def Sp(m: int, label: str | None = None) -> Group:
    """Real symplectic group Sp(2m, R) acting on R^{2m}, preserving J = [[0, I], [-I, 0]].

    Lie algebra: [[A, B], [C, -A^T]] with B, C symmetric (dimension m(2m+1)).
    """
    m = _check_n(m, "Sp", lambda m: 8 * m * (2 * m + 1) * (2 * m) ** 2, "its Lie algebra (m(2m+1) matrices 2m x 2m)")
    gens = []
    for i in range(m):
        for j in range(m):
            X = np.zeros((2 * m, 2 * m))
            X[i, j], X[m + j, m + i] = 1.0, -1.0
            gens.append(X)
    for i in range(m):
        for j in range(i, m):
            for upper in (True, False):
                X = np.zeros((2 * m, 2 * m))
                if upper:
                    X[i, m + j] = X[j, m + i] = 1.0
                else:
                    X[m + i, j] = X[m + j, i] = 1.0
                gens.append(X)
    return Group(None, np.array(gens), d=2 * m, name=f"Sp({m})", label=label, key=("Sp", m))


def _lorentz_algebra() -> np.ndarray:
    """so(1,3) for the metric eta = diag(-1, 1, 1, 1): 3 rotations and 3 boosts."""
    gens = []
    for i in range(1, 4):
        for j in range(i + 1, 4):
            A = np.zeros((4, 4))
            A[i, j], A[j, i] = 1.0, -1.0
            gens.append(A)
    for i in range(1, 4):
        K = np.zeros((4, 4))
        K[0, i] = K[i, 0] = 1.0
        gens.append(K)
    return np.array(gens)


def Lorentz(label: str | None = None) -> Group:
    """The full Lorentz group O(1,3): so(1,3), parity and time reversal."""
    P = np.diag([1.0, -1.0, -1.0, -1.0])
    Tr = np.diag([-1.0, 1.0, 1.0, 1.0])
    return Group(np.array([P, Tr]), _lorentz_algebra(), d=4, name="O(1,3)", label=label, key=("O13",))


def SO13(label: str | None = None) -> Group:
    """SO(1,3): determinant one (so(1,3) and the joint parity-time reversal -I)."""
    return Group(-np.eye(4)[None], _lorentz_algebra(), d=4, name="SO(1,3)", label=label, key=("SO13",))


def SO13p(label: str | None = None) -> Group:
    """SO+(1,3), the proper orthochronous Lorentz group (connected component)."""
    return Group(None, _lorentz_algebra(), d=4, name="SO+(1,3)", label=label, key=("SO13p",))


def O13(label: str | None = None) -> Group:
    """EMLP's name for the full Lorentz group O(1,3) (same group as :func:`Lorentz`)."""
    return Lorentz(label)
