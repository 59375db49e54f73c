"""Representation algebra (EMLP-compatible): ``V``, ``Scalar``, ``T(p, q, G)``, ``.T`` (dual),
``+``, ``*``, ``**``, ``>>``, integer multiplicities and unbound forms ``(2*V**2 + V)(G)``.

>>> from eqsolve.groups import S, SO
>>> from eqsolve.reps import V, T
>>> rep = V(S(4))**2 >> V(S(4))**2        # linear maps T2 -> T2: a 256-dim rep
>>> rep.size(), rep.equivariant_basis().dim
(256, 15)
>>> (2*V**2 + V)(S(4)).size()
36
>>> T(2, 0, SO(3)).equivariant_basis().dim   # the identity matrix
1
"""

from .base import BaseRep, DualRep, MapRep, ProductRep, Rep, Scalar, ScalarRep, SumRep, T, V, Vsum, defining_rep


def sparsify_basis(Q, seed: int = 0, tol: float = 1e-7):
    """EMLP's ``sparsify_basis`` (here exact): see :func:`eqsolve.solve.sparsify.sparsify_basis`."""
    from ..solve.sparsify import sparsify_basis as _sparsify

    return _sparsify(Q, seed=seed, tol=tol)


__all__ = [
    "Rep",
    "BaseRep",
    "ScalarRep",
    "SumRep",
    "ProductRep",
    "MapRep",
    "DualRep",
    "V",
    "Vsum",
    "defining_rep",
    "Scalar",
    "T",
    "sparsify_basis",
]
