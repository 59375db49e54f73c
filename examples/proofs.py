"""Numerical proofs with eqsolve.verify: Theorem 5.1 of Hartford et al. (2018) and witnesses
of non-equivariance.

1. ``verify.exchangeable(shape)``: for N_1 x ... x N_D tensors under S(N_1) x ... x S(N_D) the
   equivariant linear maps have exactly 2^D subset-tied weights (dimension against independent
   counts, each element equal to its subset's tied matrix, no weight can be untied), and every
   permutation outside the group has a one-hot input that breaks a generic layer.
2. A witness for a relational tensor: the layer solved for entities acting jointly on heads and
   tails (``V(S(E))**2 * V(S(R))``) is *not* equivariant when heads and tails are permuted
   separately; ``verify.equivariance`` names the breaking permutation.

    python examples/proofs.py
    python examples/proofs.py --tiny   # smaller shapes (the test suite runs this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eqsolve import verify
from eqsolve.groups import S
from eqsolve.reps import V


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shape", default="3,4", help="tensor shape for Theorem 5.1 (default 3,4)")
    p.add_argument("--tiny", action="store_true", help="tiny settings (shape 2,3)")
    args = p.parse_args(argv)
    shape = (2, 3) if args.tiny else tuple(int(s) for s in args.shape.split(","))

    # 1. Theorem 5.1 (and Propositions 5.2 / 5.3)
    thm = verify.exchangeable(shape)
    print(thm)
    print(
        f"dimension {thm.dim} = 2^{len(thm.active_axes)}; "
        f"{len(thm.illegal)} permutations outside the group, each broken by a one-hot input"
    )

    # 2. a witness: joint entity symmetry is not separate head / tail symmetry
    E, R = (3, 2) if args.tiny else (4, 3)
    joint = V(S(E, label="entities")) ** 2 * V(S(R, label="relations"))
    separate = V(S(E, label="heads")) * V(S(E, label="tails")) * V(S(R, label="relations"))
    W, _ = verify.permutations.generic_element(joint >> joint, seed=0)  # a generic relational layer
    ok = verify.equivariance(W, joint, joint)
    bad = verify.equivariance(W, separate, separate)
    print(ok)
    print(bad)
    print(f"witness: {bad.worst_element} breaks the relational layer (relative error {bad.worst_error:.3f})")
    return 0 if (thm.passed and ok.passed and not bad.passed) else 1


if __name__ == "__main__":
    sys.exit(main())
