"""Work estimates: hopeless solves are refused at once with the estimate (never hang), counts
are exact against independent numbers, feasible large work shows an estimate and a bar on a
terminal."""

from __future__ import annotations

import io
import math

import pytest

from eqsolve.cli import main
from eqsolve.commands import solving
from eqsolve.groups import O, S, SO
from eqsolve.parse import parse_map
from eqsolve.reps import V
from eqsolve.solve import MAX_SECONDS, WorkTooLargeError, estimate_rep, solve_basis
from eqsolve.solve.estimate import partitions_at_most, pattern_count, zero_weight_count

from test_parse_limits import no_hang  # noqa: E402  (tests/ is on sys.path via conftest)


@pytest.mark.parametrize(
    "group,rin,rout,expect",
    [
        ("S(2)", "V**40", "Scalar", r"549755813888 equality patterns .*2\^40 of S\(2\)"),
        ("SO(3)", "V**8", "V**8", r"Clebsch-Gordan coupling to \d+ invariants of the size-43046721 block"),
        ("S(2)", "V**24", "Scalar", r"8388608 equality patterns.*over the limit of 60 s.*max_seconds=None"),
    ],
)
def test_hopeless_solves_are_refused_at_once_with_the_estimate(group, rin, rout, expect):
    _, rep = parse_map(group, rin, rout)
    with no_hang(), pytest.raises(WorkTooLargeError, match=expect):
        solve_basis(rep)


def test_python_api_power_of_s2_is_refused_with_the_estimate():
    with no_hang(), pytest.raises(WorkTooLargeError, match=r"8388608 equality patterns.*minutes"):
        (V(S(2)) ** 24).equivariant_basis()


def test_cli_basis_refuses_with_the_estimate(capsys):
    with no_hang():
        assert main(["basis", "O(3)", "V**8", "V**8"]) == 2  # (SO(3) powers: the so3 solver's estimate)
    err = capsys.readouterr().err
    assert "zero-weight indices" in err and "years" in err and "Traceback" not in err
    with no_hang():
        assert main(["basis", "SO(3)", "V**8", "V**8"]) == 2
    err = capsys.readouterr().err
    assert "Clebsch-Gordan coupling" in err and "Traceback" not in err
    with no_hang():
        assert main(["basis", "S(3)", "99999999999999999999*V", "V"]) == 2
    assert "99999999999999999999" in capsys.readouterr().err


def test_limit_can_be_lifted_and_tightened(capsys):
    rep = V(S(2)) ** 12  # 2^11 = 2048 patterns: a 0.04 s estimate
    ((_, est),) = estimate_rep(rep)
    assert est.what.startswith("2048 equality patterns") and est.seconds < 1
    with pytest.raises(WorkTooLargeError, match="over the limit of 0.001 s"):
        solve_basis(rep, cache=False, max_seconds=0.001)
    assert solve_basis(rep, cache=False, max_seconds=None).dim == 2048
    assert main(["basis", "S(2)", "V**12", "Scalar", "--max-seconds", "0.001", "--no-cache"]) == 2
    assert main(["basis", "S(2)", "V**12", "Scalar", "--max-seconds", "0", "--no-cache", "--labels", "0"]) == 0
    assert "dim      2048" in capsys.readouterr().out
    assert MAX_SECONDS == 60.0  # the default of Rep.equivariant_basis(max_seconds=60.0)


@pytest.mark.parametrize("bad", ["-1", "nan", "inf", "x"])
def test_max_seconds_option_is_validated(capsys, bad):
    with pytest.raises(SystemExit):
        main(["basis", "S(2)", "V", "V", "--max-seconds", bad])
    assert "--max-seconds must be" in capsys.readouterr().err


def test_counts_match_independent_numbers():
    bell = [1, 1, 2, 5, 15, 52, 203, 877, 4140, 21147, 115975]
    assert [partitions_at_most(k, k) for k in range(11)] == bell
    assert all(partitions_at_most(k, 2) == 2 ** (k - 1) for k in range(1, 30))  # {A, B} or one block
    assert partitions_at_most(5, 1) == 1
    # S(3) x S(4) on (3 x 3) x (4 x 4 x 4): Bell(2) * Bell(3) patterns, the solver's own count
    X = V(S(3, label="a")) ** 2 * V(S(4, label="b")) ** 3
    (mono,) = X.monomials
    assert pattern_count(mono) == 2 * 5 == solve_basis(X, cache=False).dim
    # SO(3) weights -1, 0, 1 per axis: central trinomial coefficients 1, 3, 7, 19, 51, 141
    import numpy as np

    w = np.array([[-1], [0], [1]])
    assert [zero_weight_count([w] * k) for k in range(1, 7)] == [1, 3, 7, 19, 51, 141]
    rep = (V**3 >> V**3)(O(3))  # (SO(3) tensor powers go to the so3 coupling solver)
    ((_, est),) = estimate_rep(rep)
    assert "141 zero-weight indices" in est.what


def test_terminal_gets_the_estimate_and_a_bar(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(solving, "PROGRESS_SECONDS", 0.0)
    term = Terminal()
    B = solving.solve(V(S(2)) ** 10 + V(S(2)) ** 11, "auto", False, MAX_SECONDS, stream=term)
    assert B.dim == 2**9 + 2**10
    text = term.getvalue()
    assert text.startswith("estimated work: ") and "largest block: 1024 equality patterns" in text
    assert "block 2/2" in text
    pipe = io.StringIO()  # not a terminal: silent
    solving.solve(V(S(2)) ** 10, "auto", False, MAX_SECONDS, stream=pipe)
    assert pipe.getvalue() == ""


def test_estimates_are_not_computed_for_tiny_blocks():
    assert estimate_rep((V >> V)(SO(3))) == [(((V >> V)(SO(3))).monomials[0], None)]
    assert math.isfinite(estimate_rep(V(S(2)) ** 9)[0][1].seconds)
