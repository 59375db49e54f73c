"""Groups from generators: permutation groups, matrix Lie groups, products.

Public names (EMLP's, with EMLP's meanings): ``Group``, ``S``, ``A``, ``Z``, ``C``, ``D``
(2x2 rotations / reflections), ``SO``, ``O``, ``SL``, ``GL``, ``U``, ``SU``, ``Sp``,
``Lorentz`` = ``O13``, ``SO13``, ``SO13p``, ``SO11p``, ``O11``, ``Scaling``, ``Parity``,
``TimeReversal``, ``RubiksCube``, ``Cube``, ``ZksZnxZn``, ``Embed``, ``SO2eR3``, ``O2eR3``,
``DkeR3``, ``Trivial``, ``DirectProduct`` (``G1 * G2``; its defining rep is V1 ⊗ V2).
eqsolve's own: ``Permutation``, ``DihedralPerm`` (the dihedral group permuting n points),
``PermutationGroup``, ``perm_matrix``, ``WreathProduct(G1, G2)`` (G1 ≀ G2; a stub in EMLP).

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
from .linear import GL, O11, SL, Parity, Scaling, SO11p, TimeReversal
from .matrix import O, O13, SO, SO13, Lorentz, SO13p, Sp
from .permutation import A, Cube, DihedralPerm, Permutation, PermutationGroup, S, Trivial, Z, ZksZnxZn, perm_matrix
from .planar import C, D, DkeR3, Embed, O2eR3, SO2eR3
from .product import DirectProduct
from .rubik import RubiksCube
from .unitary import SU, U
from .wreath import WreathGroup, WreathProduct

__all__ = [
    "Group",
    "PermutationGroup",
    "DirectProduct",
    "S",
    "A",
    "Z",
    "C",
    "D",
    "DihedralPerm",
    "Trivial",
    "Permutation",
    "SO",
    "O",
    "SL",
    "GL",
    "U",
    "SU",
    "Sp",
    "Lorentz",
    "O13",
    "SO13",
    "SO13p",
    "SO11p",
    "O11",
    "Scaling",
    "Parity",
    "TimeReversal",
    "RubiksCube",
    "Cube",
    "ZksZnxZn",
    "Embed",
    "SO2eR3",
    "O2eR3",
    "DkeR3",
    "WreathProduct",
    "WreathGroup",
    "perm_matrix",
]
