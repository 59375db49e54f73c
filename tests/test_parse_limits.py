"""Hostile grammar input: huge integers, huge powers and multiplicities, deep nesting, impossible
group sizes. Each is a ValueError (often a ParseError) that names the value and the limit, raised
before any work; and a property-based fuzz test of the grammar and ``Group.from_generators``."""

from __future__ import annotations

import signal
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqsolve.groups import A, Group, S, SO, Sp, Trivial
from eqsolve.memory import TooLargeError
from eqsolve.parse import MAX_DEPTH, ParseError, parse_group, parse_map, parse_rep
from eqsolve.reps import V
from eqsolve.reps.base import MAX_AXES, MAX_BLOCKS


@contextmanager
def no_hang(seconds: int = 30):
    """Fail (instead of hanging the suite) if the body runs for minutes: a hang detector, far
    above the milliseconds these calls take."""

    def handler(signum, frame):
        raise AssertionError(f"did not return within {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize(
    "text,expect",
    [
        ("T(99999999999999999999)", r"99999999999999999999.*at most 18 digits"),
        ("T(300)", rf"T\(300, 0\) has 300 tensor factors.*at most {MAX_AXES}"),
        ("T(200, 100)", r"300 tensor factors"),
        ("V**99999999999", rf"99999999999 tensor factors.*at most {MAX_AXES}"),
        ("99999999999999999999*V", r"99999999999999999999.*at most 18 digits"),
        ("9999999999*V", rf"multiplicity 9999999999 .*limit {MAX_BLOCKS}"),
        ("(V+Scalar)**30", rf"1073741824 monomial blocks.*at most {MAX_BLOCKS}"),
    ],
)
def test_huge_rep_requests_are_refused_by_value(text, expect):
    with no_hang(), pytest.raises(ValueError, match=expect):
        rep = parse_rep(text, S(3))
        rep.monomials  # the block count is checked when a rep is split (before any solve)


def test_5000_nested_parentheses_are_a_parse_error_not_a_recursion_error():
    text = "(" * 5000 + "V" + ")" * 5000
    with no_hang(), pytest.raises(ParseError, match=rf"nested more than {MAX_DEPTH} deep") as err:
        parse_rep(text, S(3))
    assert err.value.pos == MAX_DEPTH
    assert len(str(err.value)) < 600  # a window of the string, not all 10001 characters
    deep_ok = "(" * MAX_DEPTH + "V" + ")" * MAX_DEPTH
    assert parse_rep(deep_ok, S(3)) == V(S(3))


def test_a_5000_digit_integer_is_a_parse_error():
    with pytest.raises(ParseError, match="5000 digits"):
        parse_group("S(" + "9" * 5000 + ")")


def test_basis_of_huge_multiplicity_is_refused_at_parse_time():
    with no_hang(), pytest.raises(ValueError, match="at most 18 digits"):
        parse_map("S(3)", "99999999999999999999*V", "V")


def test_python_api_power_is_refused_before_building():
    with pytest.raises(ValueError, match=r"99999999999 tensor factors"):
        V(S(2)) ** 99999999999
    with pytest.raises(ValueError, match=r"multiplicity"):
        (10**20) * V(S(2))


@pytest.mark.parametrize(
    "make,expect",
    [
        (lambda: S(2**40), r"S\(1099511627776\) would need 16.0 TiB.*S\(n\) for n <= 67108864"),
        (lambda: SO(200), r"SO\(200\) would need 5.9 GiB for its Lie algebra.*SO\(n\) for n <= 128"),
        (lambda: A(20000), r"A\(20000\) would need 3.0 GiB"),
        (lambda: Sp(100), r"Sp\(100\) would need 6.0 GiB"),
        (lambda: Trivial(10**12), r"Trivial\(1000000000000\) would need 7.3 TiB"),
        (lambda: parse_group("S(1099511627776)"), r"16.0 TiB"),
    ],
)
def test_impossible_group_sizes_are_refused_with_the_size_they_would_need(make, expect):
    with no_hang(), pytest.raises(TooLargeError, match=expect):
        make()


def test_largest_allowed_sizes_stay_allowed():
    from eqsolve.groups.permutation import GENERATOR_BYTES_MAX

    # the limit is the stated byte budget, not a smaller one: SO(128) is 1.0 GiB of Lie algebra
    assert 8 * 128**3 * 127 // 2 <= GENERATOR_BYTES_MAX < 8 * 129**3 * 128 // 2
    assert S(1000).d == 1000 and SO(12).lie_algebra.shape == (66, 12, 12)


# ------------------------------------------------------------------ property-based fuzzing
_GROUP_TOKENS = [
    "S",
    "A",
    "Z",
    "C",
    "D",
    "SO",
    "O",
    "Sp",
    "SO+",
    "Lorentz",
    "RubiksCube",
    "Trivial",
    "Permutation",
    "Foo",
    "(",
    ")",
    "[",
    "]",
    ",",
    "x",
    "×",
    "*",
    "+",
    "-",
    "0",
    "1",
    "2",
    "3",
    "5",
    "12",
    "1099511627776",
    "99999999999999999999",
    "lab",
    " ",
    "@",
    ".",
    "é",
    "\x00",
]
_REP_TOKENS = [
    "V",
    "T",
    "Scalar",
    "V0",
    "(",
    ")",
    "+",
    "*",
    "**",
    ">>",
    "@",
    ".T",
    ",",
    "0",
    "1",
    "2",
    "3",
    "5",
    "300",
    "99999999999",
    "99999999999999999999",
    " ",
    "x",
    "-",
    "[",
    "]",
    "Q",
    "\t",
]


def _expected_errors():
    return (ParseError, ValueError, TypeError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_GROUP_TOKENS), max_size=14))
def test_fuzz_group_grammar(tokens):
    text = "".join(tokens)
    with no_hang():
        try:
            G = parse_group(text)
        except _expected_errors():
            return
    assert isinstance(G, Group)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_REP_TOKENS), max_size=16), st.sampled_from(["S(3)", "SO(3)", "S(2)xZ(3)"]))
def test_fuzz_rep_grammar(tokens, group):
    text = "".join(tokens)
    with no_hang():
        try:
            rep = parse_rep(text, group)
            rep.monomials
            rep.size()
        except _expected_errors():
            return


def _matrix_like():
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    entries = st.one_of(floats, st.integers(-3, 3), st.just("a"), st.none())
    shape = st.lists(st.integers(0, 4), min_size=0, max_size=4)
    dense = shape.flatmap(
        lambda s: st.lists(floats, min_size=int(np.prod(s)), max_size=int(np.prod(s))).map(
            lambda xs, s=s: np.array(xs, dtype=float).reshape(s)
        )
    )
    ragged = st.recursive(entries, lambda inner: st.lists(inner, max_size=4), max_leaves=20)
    return st.one_of(st.none(), dense, ragged)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_matrix_like(), _matrix_like(), st.one_of(st.none(), st.integers(-2, 5)))
def test_fuzz_group_from_generators(discrete, lie, d):
    with no_hang():
        try:
            G = Group.from_generators(discrete=discrete, lie=lie, d=d)
        except _expected_errors():
            return
    assert G.d >= 1
    assert G.discrete_generators.shape[1:] == (G.d, G.d)


@pytest.mark.parametrize(
    "text,fix", [("S(3)[1]xS(3)", "S(3)[f1]"), ("S(3)[a]xS(3)[a]", "S(3)[1]"), ("S(3)[1]xS(3)xS(3)[f1]", "S(3)[f1_0]")]
)
def test_label_clash_suggests_a_label_nobody_uses(text, fix):
    with pytest.raises(ParseError, match="is the same as factor 0") as err:
        parse_group(text)
    assert f"e.g. {fix} " in str(err.value)
    fixed = (
        text[: text.index("x") + 1]
        + fix
        + text[text.index("x") + 1 + len("S(3)") + (3 if text.endswith("[a]") else 0) :]
    )
    assert len(parse_group(fixed).factors) == text.count("x") + 1  # the suggestion parses
