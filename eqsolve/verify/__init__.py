"""Numerical proofs: equivariance, maximality, Theorem 5.1 of Hartford et al., and
non-equivariance witnesses for permutations outside a group.

Every function returns a report object (:class:`eqsolve.verify.report.Report`) with one
:class:`Check` per claim, the measured errors and witnesses; reports never print by themselves
(``print(report)`` renders a terminal table). Imports numpy/scipy/sympy/networkx only.

- :func:`equivariance` (a matrix W, a basis, or a function f), with the worst element;
- :func:`basis`: invariant, orthonormal and maximal (independent counts), with witnesses;
- :func:`exchangeable`: Hartford et al. Theorem 5.1, Propositions 5.2/5.3, the joint case;
- :func:`jointly_exchangeable`: one S(n) on rows and columns;
- :func:`permutation_group`: one-hot witnesses for permutations outside any declared group.

>>> from eqsolve import verify
>>> from eqsolve.groups import SO
>>> from eqsolve.reps import T
>>> report = verify.basis(T(1, 0, SO(3)) >> T(2, 0, SO(3)))
>>> report.passed, report.dim               # invariant, orthonormal, maximal: dim 1 (epsilon_ijk)
(True, 1)
>>> verify.exchangeable((3, 4)).passed      # Hartford et al. Theorem 5.1 for 3 x 4 matrices
True
"""

from .equivariance import EquivarianceReport, equivariance
from .exchangeable import ExchangeableReport, JointReport, exchangeable, jointly_exchangeable
from .maximality import BasisReport, basis, expected_dimension
from .permutations import PermutationGroupReport, permutation_group
from .report import Check, GroupElement, Report

__all__ = [
    # the checks
    "equivariance",
    "basis",
    "exchangeable",
    "jointly_exchangeable",
    "permutation_group",
    # the independent dimension counts the maximality check compares against
    "expected_dimension",
    # what they return
    "Report",
    "Check",
    "GroupElement",
    "EquivarianceReport",
    "BasisReport",
    "ExchangeableReport",
    "JointReport",
    "PermutationGroupReport",
]
