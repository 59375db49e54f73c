"""``eqsolve show GROUP REP_IN REP_OUT --out basis.png``: picture of the tied weights."""

from __future__ import annotations

import argparse

from ..solve.registry import cli_help, method_names
from .solving import add_max_seconds, solve


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "show",
        help="draw the tied-weight pattern of REP_IN >> REP_OUT",
        description="Draw the (size_out x size_in) weight matrix of the equivariant maps "
        "REP_IN -> REP_OUT, each entry coloured by the basis element it "
        "belongs to (one colour per element).",
        epilog='example: eqsolve show "S(4)" "T(2)" "T(2)" --out basis.png',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("group")
    p.add_argument("rep_in")
    p.add_argument("rep_out")
    p.add_argument("--out", "-o", default="basis.png", help="output image (.png, .svg, .pdf); default basis.png")
    p.add_argument("--title", default=None)
    p.add_argument("--dpi", type=_dpi, default=120, help="dots per inch of raster pictures (1..1200; default 120)")
    p.add_argument("--method", default="auto", choices=method_names(), metavar="METHOD", help=cli_help())
    p.add_argument(
        "--mode",
        default="auto",
        choices=("auto", "tied", "panels"),
        help="tied: one colour per basis element; panels: one heat map per element "
        "(default: tied for exact permutation bases, panels otherwise)",
    )
    add_max_seconds(p)
    p.set_defaults(func=run)


def _dpi(text: str) -> int:
    from ..viz import MAX_DPI

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dpi must be an integer from 1 to {MAX_DPI}, got {text!r}") from None
    if not 1 <= value <= MAX_DPI:
        raise argparse.ArgumentTypeError(f"--dpi must be an integer from 1 to {MAX_DPI}, got {value}")
    return value


def run(args) -> int:
    from ..parse import parse_group, parse_rep
    from ..viz import picture_path, save_basis_picture

    G = parse_group(args.group)
    rep = parse_rep(args.rep_in, G) >> parse_rep(args.rep_out, G)
    picture_path(args.out)  # an unwritable place or unknown format is refused before the solve
    B = solve(rep, args.method, True, args.max_seconds)
    path = save_basis_picture(B, args.out, title=args.title, dpi=args.dpi, mode=args.mode)
    from ..viz import is_tied

    what = "tied weights" if is_tied(B) and args.mode != "panels" else "basis elements"
    print(f"wrote {path}: {B.dim} {what} of {rep} ({rep.rep_out.size()} x {rep.rep_in.size()})")
    return 0
