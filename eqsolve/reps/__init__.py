"""Representation algebra (EMLP-compatible): ``V``, ``Scalar``, ``T(p, q, G)``, ``.T`` (dual),
``+``, ``*``, ``**``, ``>>``, integer multiplicities and unbound forms ``(2*V**2 + V)(G)``."""
from .base import BaseRep, DualRep, MapRep, ProductRep, Rep, Scalar, ScalarRep, SumRep, T, V, Vsum, defining_rep
from .monomial import Monomial, monomials_of

def sparsify_basis(Q, seed: int = 0, tol: float = 1e-7):
    """EMLP's ``sparsify_basis`` (here exact): see :func:`eqsolve.solve.sparsify.sparsify_basis`."""
    from ..solve.sparsify import sparsify_basis as _sparsify
    return _sparsify(Q, seed=seed, tol=tol)


__all__ = ["Rep", "BaseRep", "ScalarRep", "SumRep", "ProductRep", "MapRep", "DualRep", "V", "Vsum", "defining_rep",
           "Scalar", "T", "sparsify_basis",
           "Monomial", "monomials_of"]
