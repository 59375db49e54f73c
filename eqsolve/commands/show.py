"""``eqsolve show GROUP REP_IN REP_OUT --out basis.png``: picture of the tied weights."""
from __future__ import annotations

import argparse

from ..solve.registry import cli_help, method_names


def register(subparsers) -> None:
    p = subparsers.add_parser("show", help="draw the tied-weight pattern of REP_IN >> REP_OUT",
                              description="Draw the (size_out x size_in) weight matrix of the equivariant maps "
                                          "REP_IN -> REP_OUT, each entry coloured by the basis element it "
                                          "belongs to (one colour per element).",
                              epilog='example: eqsolve show "S(4)" "T(2)" "T(2)" --out basis.png',
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("group")
    p.add_argument("rep_in")
    p.add_argument("rep_out")
    p.add_argument("--out", "-o", default="basis.png", help="output image (.png, .svg, .pdf); default basis.png")
    p.add_argument("--title", default=None)
    p.add_argument("--dpi", type=int, default=120)
    p.add_argument("--method", default="auto", choices=method_names(), metavar="METHOD", help=cli_help())
    p.add_argument("--mode", default="auto", choices=("auto", "tied", "panels"),
                   help="tied: one colour per basis element; panels: one heat map per element "
                        "(default: tied for exact permutation bases, panels otherwise)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..parse import parse_group, parse_rep
    from ..viz import save_basis_picture
    G = parse_group(args.group)
    rep = parse_rep(args.rep_in, G) >> parse_rep(args.rep_out, G)
    B = rep.equivariant_basis(method=args.method)
    path = save_basis_picture(B, args.out, title=args.title, dpi=args.dpi, mode=args.mode)
    from ..viz import is_tied
    what = "tied weights" if is_tied(B) and args.mode != "panels" else "basis elements"
    print(f"wrote {path}: {B.dim} {what} of {rep} ({rep.rep_out.size()} x {rep.rep_in.size()})")
    return 0
