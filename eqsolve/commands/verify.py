"""``eqsolve verify ...``: numerical proofs printed as tables.

  eqsolve verify exchangeable 3 4           Hartford et al. Theorem 5.1 (+ Props 5.2/5.3)
  eqsolve verify joint 4                    jointly exchangeable n x n matrices
  eqsolve verify equivariance G REP_IN REP_OUT   basis columns vs. generators, samples, Lie algebra
  eqsolve verify basis G REP_IN REP_OUT     invariant, orthonormal, maximal (independent counts)
  eqsolve verify permutations G [REP_IN REP_OUT] [--perm 1,0,2,...]
Exit status 0 when every claim holds, 1 when one fails, 2 on a usage error.
"""

from __future__ import annotations

import argparse

from ..solve.registry import cli_help, method_names


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify",
        help="check the theorems numerically (tables, witnesses)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="what", required=True)

    e = sub.add_parser("exchangeable", help="Theorem 5.1 for N1 x ... x ND tensors")
    e.add_argument("shape", nargs="+", type=int, help="axis sizes, e.g. 3 4")
    e.add_argument("--illegal", type=int, default=6, help="illegal permutations to test")
    e.add_argument("--legal", type=int, default=6, help="legal permutations to test")
    e.add_argument("--out", "-o", default=None, help="also draw the 2^D tied weights W_S to this image")
    _common(e)
    e.set_defaults(func=_exchangeable)

    j = sub.add_parser("joint", help="jointly exchangeable n x n matrices (one S(n))")
    j.add_argument("n", type=int)
    _common(j)
    j.set_defaults(func=_joint)

    for name, helptext in (
        ("equivariance", "equivariance of every basis element (and a generic W)"),
        ("basis", "basis invariant, orthonormal and maximal"),
    ):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("group")
        q.add_argument("rep_in")
        q.add_argument("rep_out")
        q.add_argument("--samples", type=int, default=8, help="random group elements besides the generators")
        q.add_argument("--method", default="auto", choices=method_names(), metavar="METHOD", help=cli_help())
        _common(q)
        q.set_defaults(func=_equivariance if name == "equivariance" else _basis)

    m = sub.add_parser("permutations", help="one-hot witnesses for permutations outside a group")
    m.add_argument("group")
    m.add_argument("rep_in", nargs="?", default="V")
    m.add_argument("rep_out", nargs="?", default=None, help="default: same as rep_in")
    m.add_argument(
        "--perm",
        action="append",
        default=None,
        metavar="P",
        help="a permutation to test, comma separated images (repeatable)",
    )
    m.add_argument("--illegal", type=int, default=6)
    m.add_argument("--legal", type=int, default=6)
    _common(m)
    m.set_defaults(func=_permutations)


def _common(p) -> None:
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--width", type=int, default=None, help="table width in characters")
    p.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")


def _emit(report, args) -> int:
    if args.json:  # every verify sub-command has --json (_common)
        import json

        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.table(width=args.width))
    return 0 if report.passed else 1


def _exchangeable(args) -> int:
    from .. import verify

    if args.out:
        from ..viz import picture_path

        picture_path(args.out)  # an unwritable place is refused before the work
    report = verify.exchangeable(tuple(args.shape), seed=args.seed, n_illegal=args.illegal, n_legal=args.legal)
    status = _emit(report, args)
    if args.out:
        from ..viz import save_basis_picture

        labels = ["W_{" + ",".join(map(str, s)) + "}" for s in report.subsets]
        path = save_basis_picture(
            report.basis,
            args.out,
            labels=labels,
            title=f"the {report.dim} subset-tied weights W_S of {' x '.join(map(str, report.shape))} tensors",
        )
        print(f"wrote {path}")
    return status


def _joint(args) -> int:
    from .. import verify

    return _emit(verify.jointly_exchangeable(args.n, seed=args.seed), args)


def _reps(args):
    from ..parse import parse_group, parse_rep

    G = parse_group(args.group)
    return G, parse_rep(args.rep_in, G), parse_rep(args.rep_out, G)


def _equivariance(args) -> int:
    import numpy as np

    from .. import verify

    G, rin, rout = _reps(args)
    B = (rin >> rout).equivariant_basis(method=args.method)
    rep_cols = verify.equivariance(B, samples=args.samples, seed=args.seed)
    print(rep_cols.table(width=args.width))
    status = 0 if rep_cols.passed else 1
    if B.dim and (rin >> rout).size() <= 4_000_000:
        rng = np.random.default_rng(args.seed)
        c = rng.normal(size=B.dim)
        if B.dtype == np.complex128:  # U(n), SU(n): a generic map has complex coefficients
            c = (c + 1j * rng.normal(size=B.dim)) / np.sqrt(2)
        W = B.apply(c).reshape(rout.size(), rin.size())
        rep_w = verify.equivariance(W, rin, rout, samples=args.samples, seed=args.seed + 1)
        kind = "complex N(0,1)" if B.dtype == np.complex128 else "N(0,1)"
        rep_w.title = f"a generic W = basis @ {kind} coefficients: {rep_w.title}"
        print()
        print(rep_w.table(width=args.width))
        status = status or (0 if rep_w.passed else 1)
    return status


def _basis(args) -> int:
    from .. import verify

    G, rin, rout = _reps(args)
    B = (rin >> rout).equivariant_basis(method=args.method)
    return _emit(verify.basis(B, samples=args.samples, seed=args.seed), args)


def _permutations(args) -> int:
    from .. import verify
    from ..parse import parse_group, parse_rep

    G = parse_group(args.group)
    rin = parse_rep(args.rep_in, G)
    rout = parse_rep(args.rep_out, G) if args.rep_out else rin
    perms = None
    if args.perm:
        perms = []
        for s in args.perm:
            try:
                perms.append([int(x) for x in s.replace(" ", "").split(",") if x != ""])
            except ValueError:
                raise ValueError(f"--perm {s!r}: give comma-separated integers, e.g. 1,0,2") from None
            if len(perms[-1]) != G.d:
                raise ValueError(f"--perm {s!r} has {len(perms[-1])} entries but {G} permutes {G.d} points")
    return _emit(
        verify.permutation_group(G, rin, rout, perms=perms, n_illegal=args.illegal, n_legal=args.legal, seed=args.seed),
        args,
    )
