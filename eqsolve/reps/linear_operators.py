"""EMLP's ``LazyKron`` / ``LazyKronsum`` names for elements of product groups.

In EMLP an element of ``G1 * G2`` is a lazy Kronecker product whose factors are ``M.Ms``; here
it is a dense :class:`eqsolve.groups.product.KronMatrix` (an ndarray) that carries the same
``Ms``, so EMLP code such as ``rep.rho(LazyKron([g1, g2]))`` or a user rep returning
``M.Ms[0]`` runs unchanged. (eqsolve never needs them: it keeps product elements per factor.)
"""

from __future__ import annotations

from ..groups.product import KronMatrix, kron_matrix

__all__ = ["LazyKron", "LazyKronsum", "KronMatrix"]


def LazyKron(Ms) -> KronMatrix:
    """g_1 ⊗ g_2 ⊗ ... as a KronMatrix with ``.Ms = [g_1, g_2, ...]``."""
    return kron_matrix(list(Ms))


def LazyKronsum(Ms) -> KronMatrix:
    """A_1 ⊗ I + I ⊗ A_2 + ... as a KronMatrix with ``.Ms = [A_1, A_2, ...]``."""
    return kron_matrix(list(Ms), lie=True)
