"""``eqsolve basis GROUP REP_IN REP_OUT``: solve and describe an equivariant basis."""

from __future__ import annotations

import argparse
import time

from ..solve.registry import cli_help, method_names
from .solving import add_max_seconds, solve

EPILOG = """examples:
  eqsolve basis "S(4)" "T(2)" "T(2)"
  eqsolve basis "S(3)xS(4)" "V@0*V@1" "V@0*V@1"
  eqsolve basis "SO(3)" "V**2" "V" --method dense
group and rep grammar: see `python -c "import eqsolve.parse; help(eqsolve.parse)"`"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "basis",
        help="solve the equivariant basis of REP_IN >> REP_OUT",
        description="Solve the basis of equivariant linear maps REP_IN -> REP_OUT and "
        "print its size, dimension, solver methods, labels and time.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("group", help='group string, e.g. "S(4)", "S(3)xS(4)", "SO(3)", "O(1,3)"')
    p.add_argument("rep_in", help='input rep, e.g. "V", "T(2)", "2*V**2+V", "V@0*V@1"')
    p.add_argument("rep_out", help="output rep")
    p.add_argument("--method", default="auto", choices=method_names(), metavar="METHOD", help=cli_help())
    p.add_argument(
        "--labels",
        type=int,
        default=40,
        metavar="K",
        help="print at most K labels (default 40; 0 for none, -1 for all)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not use the basis cache")
    add_max_seconds(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..parse import parse_group, parse_rep

    G = parse_group(args.group)
    rep_in = parse_rep(args.rep_in, G)
    rep_out = parse_rep(args.rep_out, G)
    rep = rep_in >> rep_out
    t0 = time.perf_counter()
    B = solve(rep, args.method, not args.no_cache, args.max_seconds)
    seconds = time.perf_counter() - t0
    from ..memory import human

    print(f"group    {G}")
    print(f"rep      {rep_in} → {rep_out}")
    print(f"size     {rep.size()} ({rep_out.size()} x {rep_in.size()} weight matrix)")
    print(f"dim      {B.dim}")
    print(f"blocks   {len(B.blocks)} ({len({id(b) for _, b in B.blocks})} solved)")
    print(f"methods  {', '.join(sorted(B.methods))}")
    print(f"dense    {human(B.nbytes_dense())} if materialised")
    print(f"seconds  {seconds:.4f}")
    limit = B.dim if args.labels < 0 else min(args.labels, B.dim)
    if limit:
        print("labels")
        width = len(str(B.dim - 1))
        for k in range(limit):
            print(f"  {k:>{width}}  {_label(B.labels[k])}")
        if limit < B.dim:
            print(f"  ... {B.dim - limit} more (--labels -1 for all)")
    return 0


def _label(label) -> str:
    return str(label)
