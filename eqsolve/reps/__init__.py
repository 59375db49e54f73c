"""Representation algebra (EMLP-compatible): ``V``, ``Scalar``, ``T(p, q, G)``, ``.T`` (dual),
``+``, ``*``, ``**``, ``>>``, integer multiplicities and unbound forms ``(2*V**2 + V)(G)``."""
from .base import BaseRep, DualRep, MapRep, ProductRep, Rep, Scalar, ScalarRep, SumRep, T, V, Vsum, defining_rep
from .monomial import Monomial, monomials_of

__all__ = ["Rep", "BaseRep", "ScalarRep", "SumRep", "ProductRep", "MapRep", "DualRep", "V", "Vsum", "defining_rep",
           "Scalar", "T",
           "Monomial", "monomials_of"]
