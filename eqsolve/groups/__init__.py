"""Groups from generators: permutation groups, matrix Lie groups, products.

Public names (EMLP-compatible): ``Group``, ``S``, ``A``, ``Z``, ``D``, ``SO``, ``O``, ``Sp``,
``Lorentz``, ``SO13``, ``SO13p``, ``RubiksCube``, ``Trivial``, ``Permutation``,
``DirectProduct``.

>>> from eqsolve.groups import S, SO
>>> G = S(5)
>>> G.d, G.discrete_generators.shape, G.order()
(5, (2, 5, 5), 120)
>>> SO(3).lie_algebra.shape
(3, 3, 3)
>>> S(3) * S(4)
(S(3) x S(4))
"""
from .base import Group
from .matrix import O, SO, SO13, Lorentz, SO13p, Sp
from .permutation import A, D, Permutation, PermutationGroup, S, Trivial, Z, perm_matrix
from .product import DirectProduct
from .rubik import RubiksCube

__all__ = ["Group", "PermutationGroup", "DirectProduct", "S", "A", "Z", "D", "Trivial", "Permutation",
           "SO", "O", "Sp", "Lorentz", "SO13", "SO13p", "RubiksCube", "perm_matrix"]
