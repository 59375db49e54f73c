"""The solver table (eqsolve.solve.registry) is the one list of methods: solve_block, the
command line's --method and the README read it."""

import numpy as np
import pytest

from eqsolve.cli import build_parser
from eqsolve.groups import O, SO, S, WreathProduct, Z
from eqsolve.reps import T, V
from eqsolve.solve import SOLVERS, choose_method, solve_basis, solve_block
from eqsolve.solve.registry import cli_help, get_solver, markdown_table, method_names


def _method_actions(parser):
    """Every --method option of every sub-command (walking the argparse tree)."""
    import argparse

    out = []
    for action in parser._actions:
        if "--method" in action.option_strings:
            out.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out.extend(_method_actions(sub))
    return out


def test_cli_method_options_read_the_table():
    actions = _method_actions(build_parser())
    assert len(actions) >= 4  # basis, show, verify equivariance, verify basis
    for a in actions:
        assert tuple(a.choices) == method_names()
        for name in SOLVERS:
            assert name in a.help
    assert "cyclic" in cli_help() and "product" in cli_help()


def test_every_solver_named_once_in_table_and_markdown():
    names = method_names()
    assert names[0] == "auto" and len(set(names)) == len(names)
    table = markdown_table().splitlines()
    assert len(table) == 2 + len(SOLVERS)
    for name, row in zip(SOLVERS, table[2:]):
        assert row.startswith(f"| `{name}` |")


def test_unknown_method_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown method 'svd'.*pattern.*krylov"):
        get_solver("svd")
    with pytest.raises(ValueError, match="unknown method 'svd'"):
        solve_basis(V(S(3)) >> V(S(3)), method="svd", cache=False)


@pytest.mark.parametrize(
    "rep,expected",
    [
        (V(S(4)) >> V(S(4)), "pattern"),
        (V(Z(8)) >> V(Z(8)), "cyclic"),
        (T(2, 0, SO(3)), "dense"),
        (T(5, 0, SO(3)), "so3"),
        (T(5, 0, O(3)), "krylov"),
    ],
)
def test_auto_picks_and_records_method(rep, expected):
    mono = rep.monomials[0]
    assert choose_method(mono) == expected
    b = solve_block(mono, cache=False)
    assert b.method == expected


def test_every_solver_applies_and_solves_a_block_it_claims():
    """Each entry, asked explicitly for a block its `applies` accepts, gives an invariant basis of
    the same dimension as the dense reference."""
    blocks = {
        "pattern": (V(S(3)) >> V(S(3))).monomials[0],
        "cyclic": (V(Z(4)) >> V(Z(4))).monomials[0],
        "orbit": (V(Z(4)) >> V(Z(4))).monomials[0],
        "wreath": (V(WreathProduct(S(2), S(3))) >> V(WreathProduct(S(2), S(3)))).monomials[0],
        "product": (V(S(3)) * V(SO(3)) >> V(S(3)) * V(SO(3))).monomials[0],
        "so3": T(4, 0, SO(3)).monomials[0],
        "krylov": T(4, 0, SO(3)).monomials[0],
        "dense": T(2, 0, SO(3)).monomials[0],
        "dense-stacked": T(2, 0, SO(3)).monomials[0],
    }
    assert set(blocks) == set(SOLVERS)
    for name, mono in blocks.items():
        s = SOLVERS[name]
        assert s.applies(mono), name
        b = solve_block(mono, name, cache=False)
        ref = solve_block(mono, "dense", cache=False)
        assert b.dim == ref.dim, name
        Q = b.dense()
        assert np.allclose(Q.T @ Q, np.eye(b.dim), atol=1e-8), name
        # same span as the dense reference
        assert np.linalg.norm(Q - ref.dense() @ (ref.dense().T @ Q)) < 1e-7, name
