"""Quick start: declare a group, get a layer, check that it is equivariant.

python examples/quickstart.py          # a few seconds
python examples/quickstart.py --tiny   # same steps, smaller sizes (the test suite runs this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax.numpy as jnp
import numpy as np
from flax import nnx

from eqsolve import nn, verify
from eqsolve.groups import S
from eqsolve.reps import V


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=5, help="size of the symmetric group (default 5)")
    p.add_argument("--tiny", action="store_true", help="tiny settings (n = 3)")
    args = p.parse_args(argv)
    n = 3 if args.tiny else args.n

    # 1. declare a group and a rep: S(n) acting on n x n matrices (jointly on rows and columns)
    G = S(n)
    X = V(G) ** 2
    basis = (X >> X).equivariant_basis()
    print(f"{X >> X}: {basis.dim} basis elements (Bell(4) = 15 for n >= 4), e.g. {basis.labels[0]}")

    # 2. get a layer: 3 input channels -> 2 output channels, compiled to pooling
    layer = nn.Linear(3 * X, 2 * X, rngs=nnx.Rngs(0))
    print(layer.program.summary())

    # 3. check it: permuting rows and columns of the input permutes the output (eqsolve.verify)
    def f(x):
        return np.asarray(layer(jnp.asarray(x, jnp.float32)))

    report = verify.equivariance(f, 3 * X, 2 * X, tol=1e-5)
    print(report)
    if not report.passed:
        return 1

    # the same in one line for an exchangeable rating matrix (two different groups): 4 weights
    R = V(S(n, label="users")) * V(S(n + 1, label="items"))
    print(f"{R >> R}: {(R >> R).equivariant_basis().dim} basis elements (Hartford et al.: 2^2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
