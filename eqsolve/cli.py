"""The ``eqsolve`` command line.

Each sub-command lives in its own module under :mod:`eqsolve.commands` and exposes
``register(subparsers)``, which adds its parser(s) with ``set_defaults(func=...)``.
Command modules import heavy dependencies (JAX, matplotlib) inside their functions so that
``eqsolve basis`` stays light.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "eqsolve.commands.basis",
    "eqsolve.commands.verify",
    "eqsolve.commands.show",
    "eqsolve.ratings.commands.train",
    "eqsolve.ratings.commands.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eqsolve",
        description="Declare a symmetry, get its equivariant basis, proofs and layers.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # before JAX computes anything: keep freed buffers instead of page-faulting them in per step
    from .allocator import keep_freed_memory

    keep_freed_memory()
    try:
        result = args.func(args)
    except (ValueError, TypeError) as err:
        print(f"eqsolve {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a vanished directory: said plainly, files are written atomically
        print(f"eqsolve {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: no traceback; every file is written atomically, none is half-written
        print(f"eqsolve {args.command}: interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
