"""The group / rep grammar."""

import pytest

from eqsolve.groups import (
    A,
    C,
    D,
    GL,
    O11,
    SL,
    Cube,
    DihedralPerm,
    DkeR3,
    Lorentz,
    O,
    O2eR3,
    Parity,
    RubiksCube,
    S,
    Scaling,
    SO,
    SO2eR3,
    SO11p,
    SO13,
    SO13p,
    Sp,
    TimeReversal,
    Trivial,
    Z,
    ZksZnxZn,
)
from eqsolve.parse import ParseError, parse_group, parse_map, parse_rep
from eqsolve.reps import Scalar, T, V


@pytest.mark.parametrize(
    "text,group",
    [
        ("S(4)", S(4)),
        ("A(5)", A(5)),
        ("Z(6)", Z(6)),
        ("D(4)", D(4)),
        ("SO(3)", SO(3)),
        ("O(5)", O(5)),
        ("Sp(2)", Sp(2)),
        ("Lorentz()", Lorentz()),
        ("Lorentz", Lorentz()),
        ("O(1,3)", Lorentz()),
        ("SO(1,3)", SO13()),
        ("SO+(1,3)", SO13p()),
        ("RubiksCube()", RubiksCube()),
        ("Trivial(3)", Trivial(3)),
        ("  S ( 4 ) ", S(4)),
        ("S(3)[rows]", S(3, label="rows")),
        # EMLP's meanings: C(k), D(k) are 2x2 matrix groups; the dihedral group permuting k points is DihedralPerm
        ("C(4)", C(4)),
        ("DihedralPerm(5)", DihedralPerm(5)),
        ("SL(3)", SL(3)),
        ("GL(2)", GL(2)),
        ("Scaling(3)", Scaling(3)),
        ("O(1,1)", O11()),
        ("O11", O11()),
        ("SO+(1,1)", SO11p()),
        ("SO11p()", SO11p()),
        ("O13()", Lorentz()),
        ("Parity()", Parity()),
        ("TimeReversal", TimeReversal()),
        ("Cube()", Cube()),
        ("ZksZnxZn(4,3)", ZksZnxZn(4, 3)),
        ("SO2eR3()", SO2eR3()),
        ("O2eR3", O2eR3()),
        ("DkeR3(6)", DkeR3(6)),
    ],
)
def test_groups(text, group):
    assert parse_group(text) == group


def test_D_means_emlps_2x2_dihedral_group():
    assert parse_group("D(4)").d == 2 and parse_group("DihedralPerm(4)").d == 4
    with pytest.raises(ValueError, match="k = 2 or 4"):
        parse_group("ZksZnxZn(3,3)")


def test_V_of_a_product_is_the_tensor_product():
    G = parse_group("Z(3)xZ(4)")
    assert parse_rep("V", G).size() == 12 and parse_rep("V@0+V@1", G).size() == 7
    assert (parse_rep("V", G) >> parse_rep("V", G)).equivariant_basis().dim == 12


def test_products_are_labelled():
    G = parse_group("S(3)xS(4)")
    assert [f.d for f in G.factors] == [3, 4]
    assert [f.label for f in G.factors] == ["0", "1"]
    G2 = parse_group("S(3) x S(3)")
    assert G2.factors[0] != G2.factors[1]
    G3 = parse_group("S(3)[r] × S(4)[c]")
    assert G3.factors == (S(3, label="r"), S(4, label="c"))
    assert len(parse_group("S(2)xZ(3)xSO(3)").factors) == 3


def test_reps():
    G = S(4)
    v = V(G)
    assert parse_rep("V", G) == v
    assert parse_rep("V*", G) == v.T and parse_rep("V.T", G) == v.T
    assert parse_rep("T(2)", G) == T(2, G=G)
    assert parse_rep("T(1,1)", G) == T(1, 1, G=G)
    assert parse_rep("Scalar", G).size() == 1
    assert parse_rep("2*V**2+V", G) == 2 * v**2 + v
    assert parse_rep("V*V", G) == v * v
    assert parse_rep("(V+Scalar)**2", G).size() == 25
    assert parse_rep("V*2", G) == 2 * v
    m = parse_rep("T(2)>>V", G)
    assert m.rep_in == T(2, G=G) and m.rep_out == v


def test_dual_on_nonorthogonal_group():
    G = Lorentz()
    assert parse_rep("V*", G) == V(G).T != V(G)
    assert parse_rep("V*V*", G) == V(G) * V(G).T


def test_factor_binding():
    G = parse_group("S(3)xS(4)")
    f0, f1 = G.factors
    X = parse_rep("V@0*V@1", G)
    assert X == V(f0) * V(f1) and X.size() == 12
    assert parse_rep("T(2)@1", G) == T(2, G=f1)
    assert parse_rep("(V+Scalar)@0", G).size() == 4
    G_, rep = parse_map("S(3)xS(4)", "V@0*V@1", "V@0*V@1")
    assert rep.equivariant_basis().dim == 4
    assert parse_rep("V@0", S(3)) == V(S(3))


@pytest.mark.parametrize(
    "text,pos",
    [
        ("S(", 2),
        ("S(3)x", 5),
        ("Q(3)", 0),
        ("S(0)", 2),
        ("S(3)S(4)", 4),
        ("O(2,3)", 0),
        ("", 0),
        ("S(3)xS(3)[0]", 5),
        ("S(3", 3),
    ],
)
def test_group_errors(text, pos):
    with pytest.raises(ValueError) as info:
        parse_group(text)
    assert isinstance(info.value, ParseError) and info.value.pos == pos
    assert "^" in str(info.value)


@pytest.mark.parametrize(
    "text,pos",
    [
        ("V@2", 1),
        ("V+", 2),
        ("T(2", 3),
        ("W", 0),
        ("V**", 3),
        ("V>>V>>V", 4),
        ("V $ V", 2),
        ("__import__('os')", 11),
        ("(V", 2),
    ],
)
def test_rep_errors(text, pos):
    with pytest.raises(ValueError) as info:
        parse_rep(text, parse_group("S(3)xS(4)"))
    assert info.value.pos == pos


def test_types():
    with pytest.raises(TypeError):
        parse_group(3)
    assert parse_rep("V", "S(3)") == V(S(3))


def _build(tree, G):
    """(string, rep) of a random expression tree."""
    kind = tree[0]
    if kind == "V":
        return "V", V(G)
    if kind == "Vd":
        return "V*", V(G).T
    if kind == "S":
        return "Scalar", Scalar(G)
    if kind == "T":
        return f"T({tree[1]},{tree[2]})", T(tree[1], tree[2], G=G)
    a_s, a = _build(tree[1], G)
    if kind == "pow":
        return f"({a_s})**{tree[2]}", a ** tree[2]
    if kind == "mult":
        return f"{tree[2]}*({a_s})", tree[2] * a
    b_s, b = _build(tree[2], G)
    if kind == "add":
        return f"({a_s})+({b_s})", a + b
    return f"({a_s})*({b_s})", a * b


def test_random_expressions_match_python_operators():
    import hypothesis  # a declared test dependency (pyproject [test]): a missing one fails, never skips

    st = hypothesis.strategies
    leaf = st.one_of(
        st.just(("V",)),
        st.just(("Vd",)),
        st.just(("S",)),
        st.tuples(st.just("T"), st.integers(0, 2), st.integers(0, 1)),
    )
    trees = st.recursive(
        leaf,
        lambda c: st.one_of(
            st.tuples(st.just("add"), c, c),
            st.tuples(st.just("mul"), c, c),
            st.tuples(st.just("pow"), c, st.integers(1, 2)),
            st.tuples(st.just("mult"), c, st.integers(1, 3)),
        ),
        max_leaves=5,
    )
    G = Lorentz()

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(trees)
    def check(tree):
        text, rep = _build(tree, G)
        parsed = parse_rep(text, G)
        assert parsed.size() == rep.size()
        assert parsed == rep, (text, str(parsed), str(rep))

    check()


def test_wreath_products():
    from eqsolve.groups import WreathProduct

    assert parse_group("S(3)wrS(4)") == WreathProduct(S(3), S(4))
    G = parse_group("S(2) wr S(3) x Z(4)")
    assert [f.d for f in G.factors] == [6, 4]
    _, rep = parse_map("S(3)wrS(4)", "V", "V")
    assert rep.equivariant_basis().dim == 3  # same point, same block, other block
    with pytest.raises(ValueError, match="permutation groups") as err:
        parse_group("SO(2)wrS(3)")
    assert err.value.pos == 5
    assert parse_group("S(3)[wrap]").label == "wrap"
