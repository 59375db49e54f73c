"""The one table of basis solvers.

Every solver is a :class:`Solver` entry of :data:`SOLVERS`: its name, which blocks it applies to,
when ``method="auto"`` picks it, the function that solves a block, and the notes the command
line and the README show. :func:`eqsolve.solve.solve_block`, the ``--method`` option of every
command and the README's solver table all read this table; nothing else lists method names.

``method="auto"`` walks :data:`SOLVERS` in order and takes the first entry whose ``picks``
holds for the block:

>>> from eqsolve.groups import S, SO
>>> from eqsolve.reps import T
>>> [choose(T(2, 0, G).monomials[0]).name for G in (S(4), SO(3))]
['pattern', 'dense']
>>> method_names()[:3]
('auto', 'pattern', 'cyclic')
>>> get_solver("krylov").cost
'weight-space reduction, else LOBPCG'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..reps.monomial import Monomial
from .basis import Basis
from .cyclic import is_cyclic_block, solve_cyclic
from .dense import solve_dense, solve_dense_stacked
from .estimate import (
    estimate_cyclic,
    estimate_dense,
    estimate_krylov,
    estimate_orbit,
    estimate_pattern,
    estimate_product,
)
from .krylov import solve_krylov
from .orbit import solve_orbit
from .patterns import is_pattern_block, solve_pattern
from .product import is_product_block, solve_product
from .so3 import estimate_so3, is_so3_power_block, solve_so3
from .wreath import is_wreath_block, solve_wreath

DENSE_MAX_SIZE = 4096  # auto: blocks up to this size may be solved by dense SVD
KRYLOV_MIN_SIZE = 64  # auto: below this, dense SVD beats the weight reduction's fixed overhead


@dataclass(frozen=True)
class SolveContext:
    """What a solver may need besides its block.

    Attributes:
        auto: the method was chosen by ``"auto"`` (a solver may then take a documented
            alternative path, e.g. krylov's dense fallback for small blocks).
        solve_sub: solves a sub-block with ``"auto"`` through the cache (used by ``product``).
    """

    auto: bool
    solve_sub: Callable[[Monomial], Basis]


@dataclass(frozen=True)
class Solver:
    """One row of the solver table.

    Attributes:
        name: the ``method=`` string.
        solve: ``(block, context) -> Basis``.
        applies: whether the solver can handle a block at all (it raises a ValueError naming the
            block otherwise).
        picks: whether ``method="auto"`` takes this solver for a block (tried in table order,
            only where ``applies`` holds); None: never chosen automatically.
        when: when it is used, one line (README table, CLI help).
        cost: what it costs, one line.
        exact: True for closed-form / combinatorial bases (zero residuals).
        estimate: ``block -> work estimate`` (bytes and time a solve would need), None where no
            estimate is declared yet.
    """

    name: str
    solve: Callable[[Monomial, SolveContext], Basis]
    applies: Callable[[Monomial], bool]
    picks: Callable[[Monomial], bool] | None
    when: str
    cost: str
    exact: bool
    estimate: Callable[[Monomial], Any] | None = None


def _any_block(mono: Monomial) -> bool:
    return True


def _all_permutation(mono: Monomial) -> bool:
    return mono.is_permutation  # every leaf permutes coordinates (a user rep of S(n) need not)


def _real(mono: Monomial) -> bool:
    """No complex group acts (U(n), SU(n) blocks are solved by dense SVD in complex arithmetic)."""
    return not any(f.is_complex for f in mono.groups)


def _has_lie(mono: Monomial) -> bool:
    return any(len(f.lie_algebra) for f in mono.groups)


def _solve_krylov(mono: Monomial, ctx: SolveContext) -> Basis:
    return solve_krylov(mono, dense_fallback=ctx.auto and mono.size <= DENSE_MAX_SIZE)


_TABLE = (
    Solver(
        "pattern",
        lambda m, ctx: solve_pattern(m),
        is_pattern_block,
        _any_block,
        "every axis is the defining rep of some S(n)",
        "set partitions of the axes",
        exact=True,
        estimate=estimate_pattern,
    ),
    Solver(
        "cyclic",
        lambda m, ctx: solve_cyclic(m),
        is_cyclic_block,
        _any_block,
        "every axis is the regular rep of some Z(n) (rotations)",
        "index differences, per factor",
        exact=True,
        estimate=estimate_cyclic,
    ),
    Solver(
        "wreath",
        lambda m, ctx: solve_wreath(m),
        is_wreath_block,
        _any_block,
        "every axis is the defining rep of one S(m)≀S(n) (sets of sets)",
        "two-level equality patterns",
        exact=True,
        estimate=estimate_orbit,
    ),
    Solver(
        "orbit",
        lambda m, ctx: solve_orbit(m),
        _all_permutation,
        _any_block,
        "every acting group is a permutation group",
        "union-find over coordinates",
        exact=True,
        estimate=estimate_orbit,
    ),
    Solver(
        "so3",
        lambda m, ctx: solve_so3(m),
        is_so3_power_block,
        lambda m: m.size > KRYLOV_MIN_SIZE,
        f"tensor powers of V[SO(3)] over {KRYLOV_MIN_SIZE} entries",
        "Clebsch-Gordan coupling, no solve",
        exact=False,
        estimate=estimate_so3,
    ),
    Solver(
        "product",
        lambda m, ctx: solve_product(m, ctx.solve_sub),
        is_product_block,
        lambda m: m.size > KRYLOV_MIN_SIZE,
        f"blocks over {KRYLOV_MIN_SIZE} entries whose axes each belong to one factor of a product",
        "one solve per factor, Kronecker product",
        exact=False,
        estimate=estimate_product,
    ),
    Solver(
        "krylov",
        _solve_krylov,
        _real,
        lambda m: (m.size > KRYLOV_MIN_SIZE and _has_lie(m)) or m.size > DENSE_MAX_SIZE,
        f"large blocks of continuous groups (over {KRYLOV_MIN_SIZE} entries), any block over {DENSE_MAX_SIZE}",
        "weight-space reduction, else LOBPCG",
        exact=False,
        estimate=lambda m: estimate_krylov(m, dense_fallback=m.size <= DENSE_MAX_SIZE),
    ),
    Solver(
        "dense",
        lambda m, ctx: solve_dense(m),
        _any_block,
        _any_block,
        "small blocks of continuous groups",
        "SVD, constraint by constraint",
        exact=False,
        estimate=estimate_dense,
    ),
    Solver(
        "dense-stacked",
        lambda m, ctx: solve_dense_stacked(m),
        _any_block,
        None,
        "on request only (benchmark baseline)",
        "one SVD of all constraints stacked",
        exact=False,
        estimate=estimate_dense,
    ),
)

SOLVERS: dict[str, Solver] = {s.name: s for s in _TABLE}
"""Every solver by name, in the order ``"auto"`` tries them."""


def method_names() -> tuple[str, ...]:
    """Every accepted ``method=`` string: ``"auto"`` then the table's names."""
    return ("auto",) + tuple(SOLVERS)


def get_solver(name: str) -> Solver:
    """The table entry called ``name``; a ValueError listing the choices otherwise."""
    try:
        return SOLVERS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(method_names())}") from None


def choose(mono: Monomial) -> Solver:
    """The solver ``method="auto"`` uses for a block: the first in table order that applies and
    picks it. (Scalar blocks, which have no axes, are solved before any solver is asked.)"""
    for s in _TABLE:
        if s.picks is not None and s.applies(mono) and s.picks(mono):
            return s
    raise ValueError(f"no solver picks the block {mono.shape} of {[str(f) for f in mono.groups]}")


def cli_help() -> str:
    """The ``--method`` help text of every command."""
    return "solver: " + ", ".join(method_names()) + " (default auto; see the README's solver table)"


def markdown_table() -> str:
    """The README's solver table (checked against README.md by the test suite)."""
    rows = ["| method | when | cost |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.when} | {s.cost} |" for s in _TABLE]
    return "\n".join(rows)
