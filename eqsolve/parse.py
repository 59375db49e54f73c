"""A small grammar for group and rep strings (the command line uses it; never ``eval``).

Groups
------
::

    group   := wreath (("x" | "×" | "*") wreath)*
    wreath  := factor ["wr" factor]
    factor  := NAME [ "(" [arg ("," arg)*] ")" ] [ "[" label "]" ]
    arg     := INT | "[" INT ("," INT)* "]"          (lists only for Permutation)

Names (EMLP's meanings): ``S(n)``, ``A(n)``, ``Z(n)``, ``C(k)`` and ``D(k)`` (2x2 rotations,
and reflections, of the plane), ``DihedralPerm(n)`` (the dihedral group permuting n points),
``Trivial(n)``, ``SO(n)``, ``O(n)``, ``SL(n)``, ``GL(n)``, ``U(n)``, ``SU(n)`` (complex),
``Sp(m)``, ``Scaling(n)``,
``Lorentz()`` = ``O13()`` = ``O(1,3)``, ``SO(1,3)`` = ``SO13()``, ``SO+(1,3)`` = ``SO13p()``,
``O(1,1)`` = ``O11()``, ``SO+(1,1)`` = ``SO11p()``, ``Parity()``, ``TimeReversal()``,
``RubiksCube()``, ``Cube()``, ``ZksZnxZn(k,n)``, ``SO2eR3()``, ``O2eR3()``, ``DkeR3(k)``,
``Permutation([1,0,2],[1,2,0])`` (generators as image lists) and wreath products of permutation
groups ``S(3)wrS(4)`` (S(3) ≀ S(4): 4 blocks of 3 points). Parentheses may be left out of
the no-argument groups (``Lorentz``, ``RubiksCube``). A label in brackets names a copy:
``S(3)[rows]``.

In a product of two or more factors every factor without an explicit label is labelled by its
position (``"0"``, ``"1"``, ...), so ``S(3)xS(3)`` has two distinct factors
``S(3)[0] x S(3)[1]``.

Reps (bound to a group ``G`` given separately)
----------------------------------------------
::

    map     := sum [">>" sum]                      (rep_in >> rep_out)
    sum     := term ("+" term)*
    term    := power ("*" power)*                  (an INT operand is a multiplicity)
    power   := postfix ("**" INT)*
    postfix := atom ("@" INT | ".T" | "*")*        ("*" is the dual when no operand follows)
    atom    := "V" | "Scalar" | "T" "(" INT ["," INT] ")" | INT | "(" map ")"

Examples: ``V``, ``V*`` or ``V.T`` (dual), ``T(2)``, ``T(1,1)``, ``Scalar``,
``2*V**2+V``, ``V*V``, ``(V+Scalar)**2``.

Binding to a factor: ``@k`` makes its operand a rep of factor ``k`` (0-based) of a product
group. ``V@0*V@1`` is the rep of the first factor tensored with the second (the 3x4 matrices
of ``S(3)xS(4)``); ``T(2)@1`` and ``(V+Scalar)@0`` work the same way. Without ``@`` a rep is a
rep of the whole group ``G`` (for a product, ``V`` is the tensor product of the factors'
defining reps, as in EMLP: ``V`` of ``Z(3)xZ(4)`` has size 12). ``@k`` on a group that is not a product accepts only ``k = 0``.

Errors are ``ValueError``\\ s that quote the string and point a caret at the offending position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["parse_group", "parse_rep", "parse_map", "ParseError"]


class ParseError(ValueError):
    """A malformed group or rep string; ``pos`` is the offending character index."""

    def __init__(self, message: str, text: str, pos: int):
        self.text, self.pos, self.reason = text, pos, message
        if len(text) <= 120:
            shown, where = text, f"{text!r}"
        else:  # a window around the offending position
            start = max(0, pos - 50)
            shown = ("..." if start else "") + text[start : pos + 50] + ("..." if pos + 50 < len(text) else "")
            pos_in = pos - start + (3 if start else 0)
            where = f"a string of {len(text)} characters"
            super().__init__(f"{message} at position {pos} in {where}\n    {shown}\n    {' ' * pos_in}^")
            return
        super().__init__(f"{message} at position {pos} in {where}\n    {shown}\n    {' ' * pos}^")


@dataclass
class _Tok:
    kind: str  # NAME INT OP END
    value: str
    pos: int


_TOKEN_RE = re.compile(
    r"\s*(?:(?P<OP>\*\*|>>|\.T|x(?![a-z0-9_])|wr(?![a-z0-9_])|[()\[\],+*@×])|"
    r"(?P<NAME>[A-Za-z_][A-Za-z0-9_]*\+?)|(?P<INT>\d+))"
)


def _tokenize(text: str, what: str) -> list[_Tok]:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, got {type(text).__name__}")
    toks, pos = [], 0
    n = len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ParseError(f"unexpected character {text[pos]!r} in {what}", text, pos)
        kind = m.lastgroup
        start = m.start(kind)
        val = m.group(kind)
        if kind == "NAME" and val.endswith("+") and val[:-1] != "SO":
            # only SO+ takes a plus; otherwise the + is an operator
            val = val[:-1]
            toks.append(_Tok("NAME", val, start))
            toks.append(_Tok("OP", "+", start + len(val)))
        else:
            toks.append(_Tok(kind, val, start))
        pos = m.end()
    toks.append(_Tok("END", "", n))
    return toks


MAX_INT_DIGITS = 18
"""Integer literals longer than this are refused (no group, power or multiplicity needs more)."""
MAX_DEPTH = 100
"""Parentheses nest at most this deep (the parser and the rep tree are recursive)."""


class _Parser:
    def __init__(self, text: str, what: str):
        self.text = text
        self.what = what
        self.toks = _tokenize(text, what)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def error(self, msg: str, tok: _Tok | None = None):
        tok = tok or self.tok
        raise ParseError(msg, self.text, tok.pos)

    def accept(self, kind: str, value: str | None = None) -> _Tok | None:
        t = self.tok
        if t.kind == kind and (value is None or t.value == value):
            self.i += 1
            return t
        return None

    def expect(self, kind: str, value: str | None = None, what: str | None = None) -> _Tok:
        t = self.accept(kind, value)
        if t is None:
            found = "the end of the string" if self.tok.kind == "END" else repr(self.tok.value)
            self.error(f"expected {what or repr(value) or kind} but found {found}")
        return t

    def int_value(self, tok: _Tok, lo: int = 0) -> int:
        if len(tok.value.lstrip("0")) > MAX_INT_DIGITS:
            shown = tok.value if len(tok.value) <= 40 else f"{tok.value[:20]}...({len(tok.value)} digits)"
            self.error(
                f"the integer {shown} is too large: integers in {self.what} strings have at most "
                f"{MAX_INT_DIGITS} digits",
                tok,
            )
        v = int(tok.value)
        if v < lo:
            self.error(f"expected an integer >= {lo}, got {v}", tok)
        return v


# ===================================================================== groups
_GROUP_NAMES = {
    "S": "S",
    "Sym": "S",
    "A": "A",
    "Alt": "A",
    "Z": "Z",
    "C": "C",
    "D": "D",
    "DihedralPerm": "DihedralPerm",
    "Trivial": "Trivial",
    "SO": "SO",
    "O": "O",
    "SL": "SL",
    "GL": "GL",
    "U": "U",
    "SU": "SU",
    "Sp": "Sp",
    "Scaling": "Scaling",
    "Lorentz": "Lorentz",
    "O13": "Lorentz",
    "SO13": "SO13",
    "SO13p": "SO13p",
    "SO11p": "SO11p",
    "O11": "O11",
    "SO+": "SO+",
    "Parity": "Parity",
    "TimeReversal": "TimeReversal",
    "RubiksCube": "RubiksCube",
    "Rubik": "RubiksCube",
    "Cube": "Cube",
    "ZksZnxZn": "ZksZnxZn",
    "SO2eR3": "SO2eR3",
    "O2eR3": "O2eR3",
    "DkeR3": "DkeR3",
    "Permutation": "Permutation",
}
# the groups written NAME(n) with one positive integer (SO also takes the signature (1,3))
_ONE_INTEGER = frozenset("S A Z C D DihedralPerm Trivial SO SL GL U SU Sp Scaling DkeR3".split())
_KNOWN = (
    "S, A, Z, C, D, DihedralPerm, SO, O, SL, GL, U, SU, Sp, Scaling, Lorentz, SO+, O(1,1), Parity, TimeReversal, "
    "RubiksCube, Cube, ZksZnxZn, SO2eR3, O2eR3, DkeR3, Trivial, Permutation"
)


def parse_group(text: str):
    """Parse a group string such as ``"S(4)"``, ``"S(3)xS(4)"`` or ``"SO+(1,3)"``.

    Returns a :class:`eqsolve.groups.Group` (a ``DirectProduct`` for products).
    Raises ``ValueError`` (a :class:`ParseError`) pointing at the offending position.
    """
    from .groups import DirectProduct

    p = _Parser(text, "group")
    if p.tok.kind == "END":
        p.error("empty group string")
    factors = [_parse_wreath(p)]
    while p.tok.kind == "OP" and p.tok.value in ("x", "×", "*"):
        p.i += 1
        factors.append(_parse_wreath(p))
    if p.tok.kind != "END":
        p.error(f"unexpected {p.tok.value!r} after the group (products are written S(3)xS(4))")
    if len(factors) == 1:
        return factors[0][0]
    groups = []
    for k, (g, explicit, tok) in enumerate(factors):
        groups.append(g if explicit else g.with_label(str(k)))
    labels = [g.key for g in groups]
    used = {g.label for g in groups}
    for k, key in enumerate(labels):
        if key in labels[:k]:
            j = labels.index(key)
            fresh = next(c for c in [str(k), f"f{k}"] + [f"f{k}_{i}" for i in range(len(groups) + 1)] if c not in used)
            how = "labelled by its position" if not factors[k][1] else "labelled explicitly"
            p.error(
                f"factor {k} ({groups[k]}, {how}) is the same as factor {j} ({groups[j]}); give it a "
                f"label no other factor uses, e.g. {groups[k].with_label(None)}[{fresh}]",
                factors[k][2],
            )
    return DirectProduct(*groups)


def _parse_wreath(p: _Parser):
    """factor ["wr" factor]: the wreath product G1 ≀ G2 of two permutation groups (``S(3)wrS(4)``)."""
    g, explicit, tok = _parse_group_factor(p)
    if p.tok.kind == "OP" and p.tok.value == "wr":
        wr_tok = p.tok
        p.i += 1
        h, _, _ = _parse_group_factor(p)
        from .groups import WreathProduct

        try:
            g = WreathProduct(g, h)
        except (TypeError, ValueError) as err:
            p.error(f"bad wreath product: {err}", wr_tok)
        explicit = False
    return g, explicit, tok


def _parse_group_factor(p: _Parser):
    from . import groups as G

    tok = p.tok
    if tok.kind == "OP" and tok.value == "x":
        p.error("a group name is missing before 'x'")
    if tok.kind != "NAME":
        found = "the end of the string" if tok.kind == "END" else repr(tok.value)
        p.error(f"expected a group name (one of {_KNOWN}) but found {found}")
    p.i += 1
    name = _GROUP_NAMES.get(tok.value) or _GROUP_NAMES.get(
        next((k for k in _GROUP_NAMES if k.lower() == tok.value.lower()), ""), None
    )
    if name is None:
        p.error(f"unknown group {tok.value!r}; known: {_KNOWN}", tok)
    args: list = []
    arg_toks: list = []
    if p.accept("OP", "("):
        if not p.accept("OP", ")"):
            while True:
                arg_toks.append(p.tok)
                if p.accept("OP", "["):
                    lst = []
                    if not p.accept("OP", "]"):
                        while True:
                            lst.append(p.int_value(p.expect("INT", what="an integer")))
                            if p.accept("OP", "]"):
                                break
                            p.expect("OP", ",", "',' or ']'")
                    args.append(lst)
                else:
                    args.append(p.int_value(p.expect("INT", what="an integer argument")))
                if p.accept("OP", ")"):
                    break
                p.expect("OP", ",", "',' or ')'")
    label = None
    if p.accept("OP", "["):
        parts = []
        while p.tok.kind in ("NAME", "INT"):
            parts.append(p.tok.value)
            p.i += 1
        if not parts:
            p.error("expected a label inside [...]")
        label = "".join(parts)
        p.expect("OP", "]", "']' closing the label")

    def need(count: int, form: str):
        if len(args) != count or any(isinstance(a, list) for a in args):
            p.error(f"{name} takes {form}; got {len(args)} argument(s)", tok)

    def positive(k: int = 0) -> int:
        if args[k] < 1:
            p.error(f"{name} needs a positive integer, got {args[k]}", arg_toks[k])
        return args[k]

    if name in _ONE_INTEGER:
        if name == "SO" and len(args) == 2:
            if args != [1, 3]:
                p.error(f"only the Lorentz signature SO(1,3) is supported, got SO({args[0]},{args[1]})", tok)
            g = G.SO13()
        else:
            need(1, f"one positive integer, e.g. {name}(4)")
            g = getattr(G, name)(positive())
    elif name == "O":
        if len(args) == 2:
            if args not in ([1, 3], [1, 1]):
                p.error(f"only the Lorentz signatures O(1,3) and O(1,1) are supported, got O({args[0]},{args[1]})", tok)
            g = G.Lorentz() if args == [1, 3] else G.O11()
        else:
            need(1, "one positive integer, e.g. O(3), or the signature (1,3)")
            g = G.O(positive())
    elif name == "SO+":
        if args not in ([1, 3], [1, 1]):
            p.error("SO+ is the proper orthochronous Lorentz group, written SO+(1,3) or SO+(1,1)", tok)
        g = G.SO13p() if args == [1, 3] else G.SO11p()
    elif name == "ZksZnxZn":
        need(2, "two positive integers k (2 or 4) and n, e.g. ZksZnxZn(4,5)")
        positive(0), positive(1)
        if args[0] not in (2, 4):
            p.error(f"ZksZnxZn(k, n) needs k = 2 or 4, got {args[0]}", arg_toks[0])
        g = G.ZksZnxZn(args[0], args[1])
    elif name in (
        "Lorentz",
        "SO13",
        "SO13p",
        "SO11p",
        "O11",
        "Parity",
        "TimeReversal",
        "RubiksCube",
        "Cube",
        "SO2eR3",
        "O2eR3",
    ):
        if args:
            p.error(f"{name} takes no arguments: write {name}()", arg_toks[0])
        g = getattr(G, name)()
    else:  # Permutation
        if not args or not all(isinstance(a, list) for a in args):
            p.error("Permutation takes generator lists, e.g. Permutation([1,0,2],[1,2,0])", tok)
        try:
            g = G.Permutation(args)
        except (ValueError, TypeError) as err:
            p.error(f"bad permutation generators: {err}", tok)
    if label is not None:
        g = g.with_label(label)
    return g, label is not None, tok


# ======================================================================= reps
@dataclass
class _Node:
    kind: str  # V Scalar T int sum prod pow dual bind map
    pos: int
    args: tuple = ()


def parse_rep(text: str, G):
    """Parse a rep string bound to the group ``G`` (a Group or a group string).

    ``parse_rep("2*V**2+V", S(4))``; ``parse_rep("V@0*V@1", "S(3)xS(4)")``; ``"T(1)>>T(1)"``
    gives a map rep. See the module docstring for the grammar.
    """
    from .groups import Group

    if isinstance(G, str):
        G = parse_group(G)
    if not isinstance(G, Group):
        raise TypeError(f"parse_rep needs a Group (or a group string), got {type(G).__name__}")
    p = _Parser(text, "rep")
    if p.tok.kind == "END":
        p.error("empty rep string")
    node = _parse_map(p)
    if p.tok.kind != "END":
        p.error(f"unexpected {p.tok.value!r}")
    rep = _evaluate(p, node, G, G, bound=False)
    if isinstance(rep, int):
        from .reps.base import ScalarRep

        rep = rep * ScalarRep(G)
    return rep


def parse_map(group: str, rep_in: str, rep_out: str):
    """``(G, rep_in >> rep_out)`` from three strings (what ``eqsolve basis`` takes)."""
    G = parse_group(group)
    return G, parse_rep(rep_in, G) >> parse_rep(rep_out, G)


def _parse_map(p: _Parser) -> _Node:
    left = _parse_sum(p)
    t = p.accept("OP", ">>")
    if t:
        right = _parse_sum(p)
        if p.tok.kind == "OP" and p.tok.value == ">>":
            p.error("only one '>>' is allowed (rep_in >> rep_out)")
        return _Node("map", t.pos, (left, right))
    return left


def _parse_sum(p: _Parser) -> _Node:
    terms = [_parse_term(p)]
    pos = terms[0].pos
    while p.accept("OP", "+"):
        terms.append(_parse_term(p))
    return terms[0] if len(terms) == 1 else _Node("sum", pos, tuple(terms))


def _starts_operand(t: _Tok) -> bool:
    return t.kind in ("NAME", "INT") or (t.kind == "OP" and t.value == "(")


def _parse_term(p: _Parser) -> _Node:
    factors = [_parse_power(p)]
    pos = factors[0].pos
    while p.tok.kind == "OP" and p.tok.value == "*" and _starts_operand(p.peek()):
        p.i += 1
        factors.append(_parse_power(p))
    return factors[0] if len(factors) == 1 else _Node("prod", pos, tuple(factors))


def _parse_power(p: _Parser) -> _Node:
    node = _parse_postfix(p)
    while True:
        t = p.accept("OP", "**")
        if not t:
            return node
        k = p.expect("INT", what="an integer exponent after '**'")
        node = _Node("pow", t.pos, (node, p.int_value(k)))


def _parse_postfix(p: _Parser) -> _Node:
    node = _parse_atom(p)
    while True:
        t = p.tok
        if t.kind == "OP" and t.value == "@":
            p.i += 1
            k = p.expect("INT", what="a factor index after '@'")
            node = _Node("bind", t.pos, (node, p.int_value(k)))
        elif t.kind == "OP" and t.value == ".T":
            p.i += 1
            node = _Node("dual", t.pos, (node,))
        elif t.kind == "OP" and t.value == "*" and not _starts_operand(p.peek()):
            p.i += 1
            node = _Node("dual", t.pos, (node,))
        else:
            return node


def _parse_atom(p: _Parser) -> _Node:
    t = p.tok
    if t.kind == "INT":
        p.i += 1
        return _Node("int", t.pos, (p.int_value(t, 1),))
    if t.kind == "OP" and t.value == "(":
        if p.depth >= MAX_DEPTH:
            p.error(f"parentheses are nested more than {MAX_DEPTH} deep; remove the redundant ones", t)
        p.i += 1
        p.depth += 1
        node = _parse_map(p)
        p.expect("OP", ")", "')'")
        p.depth -= 1
        return node
    if t.kind == "NAME":
        p.i += 1
        if t.value == "V":
            return _Node("V", t.pos)
        if t.value in ("Scalar", "V0"):
            return _Node("Scalar", t.pos)
        if t.value == "T":
            p.expect("OP", "(", "'(' after T")
            a = p.int_value(p.expect("INT", what="an integer p in T(p, q)"))
            b = 0
            if p.accept("OP", ","):
                b = p.int_value(p.expect("INT", what="an integer q in T(p, q)"))
            p.expect("OP", ")", "')' closing T(p, q)")
            return _Node("T", t.pos, (a, b))
        p.error(f"unknown rep {t.value!r}; use V, V*, V.T, T(p,q), Scalar, sums, products, powers", t)
    found = "the end of the string" if t.kind == "END" else repr(t.value)
    p.error(f"expected a rep (V, T(p,q), Scalar, an integer or '(') but found {found}")


def _evaluate(p: _Parser, node: _Node, G, ctx, bound: bool):
    """Evaluate to a Rep bound to ``ctx`` (or an int for a bare multiplicity)."""
    from .reps.base import Rep, ScalarRep, T, defining_rep

    def ev(n, c=ctx, b=bound):
        return _evaluate(p, n, G, c, b)

    def as_rep(val, n):
        if isinstance(val, int):
            return val * ScalarRep(ctx)
        return val

    k = node.kind
    if k == "V":
        return defining_rep(ctx)
    if k == "Scalar":
        return ScalarRep(ctx)
    if k == "T":
        a, b = node.args
        return T(a, b, ctx)
    if k == "int":
        return node.args[0]
    if k == "bind":
        child, idx = node.args
        if bound:
            p.error("'@' binds a rep that is already bound to a factor", _Tok("OP", "@", node.pos))
        factors = G.factors
        if idx >= len(factors):
            p.error(
                f"factor index @{idx} is out of range: {G} has {len(factors)} factor(s) "
                f"(indices 0..{len(factors) - 1})",
                _Tok("OP", "@", node.pos),
            )
        return ev(child, factors[idx], True)
    if k == "dual":
        val = ev(node.args[0])
        if isinstance(val, int):
            p.error("the dual of an integer is not a rep", _Tok("OP", "*", node.pos))
        return val.T
    if k == "pow":
        val = ev(node.args[0])
        if isinstance(val, int):
            return val ** node.args[1]
        return val ** node.args[1]
    if k == "sum":
        vals = [ev(n) for n in node.args]
        if all(isinstance(v, int) for v in vals):
            return sum(vals)
        out = None
        for v, n in zip(vals, node.args):
            v = as_rep(v, n)
            out = v if out is None else out + v
        return out
    if k == "prod":
        mult = 1
        reps: list[Rep] = []
        for n in node.args:
            v = ev(n)
            if isinstance(v, int):
                mult *= v
            else:
                reps.append(v)
        if not reps:
            return mult
        out = reps[0]
        for r in reps[1:]:
            out = out * r
        return out if mult == 1 else mult * out
    if k == "map":
        a, b = (as_rep(ev(n), n) for n in node.args)
        return a >> b
    raise AssertionError(k)  # pragma: no cover
