"""The synthetic tasks of the EMLP paper (Finzi et al. 2021), generated here, trained with an
equivariant MLP and a plain MLP of the same width/depth, same optimiser, same steps.

    python examples/emlp_tasks.py --task o5        # O(5) invariant regression, 2T1 -> T0
    python examples/emlp_tasks.py --task inertia   # SO(3) inertia tensor, 5T0+5T1 -> T2
    python examples/emlp_tasks.py --task lorentz   # O(1,3) scattering, 4T1 -> T0
    python examples/emlp_tasks.py --task all

Targets are standardised by one global scale (an invariant operation, so equivariance is
kept); the MSEs printed are on held-out data in those units.
"""
from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from eqsolve.groups import SO, O, Lorentz
from eqsolve.nn.emlp import EMLP, MLP
from eqsolve.reps import Scalar, T, V


# ------------------------------------------------------------------------ data
def o5_data(n, rng):
    """f(x1, x2) = sin|x1| - |x2|^3 / 2 + <x1, x2> / (|x1| |x2|)."""
    x = rng.normal(size=(n, 2, 5))
    x1, x2 = x[:, 0], x[:, 1]
    r1, r2 = np.linalg.norm(x1, axis=1), np.linalg.norm(x2, axis=1)
    y = np.sin(r1) - r2 ** 3 / 2 + (x1 * x2).sum(1) / (r1 * r2)
    return x.reshape(n, 10), y[:, None]


def inertia_data(n, rng):
    """Masses m (5) and positions x (5, 3) -> inertia tensor sum_i m_i (|x_i|^2 I - x_i x_i^T)."""
    m = rng.uniform(0.1, 1.0, size=(n, 5))
    x = rng.normal(size=(n, 5, 3))
    r2 = (x ** 2).sum(-1)
    I = (m[:, :, None, None] * (r2[:, :, None, None] * np.eye(3) - x[:, :, :, None] * x[:, :, None, :])).sum(1)
    return np.concatenate([m, x.reshape(n, 15)], axis=1), I.reshape(n, 9)


ETA = np.diag([-1.0, 1.0, 1.0, 1.0])  # the metric preserved by eqsolve's Lorentz()


def lorentz_data(n, rng):
    """e+e- -> mu+mu- style matrix element of four 4-momenta (EMLP's ParticleInteraction):
    4 sum_ab Le^ab Lmu_ab with Le = p1 p3^T - (p1.p3 - p1.p1) eta, Lmu = (eta p2)(eta p4)^T -
    (p2.p4 - p2.p2) eta, all inner products Minkowski: invariant under O(1,3)."""
    p = rng.normal(size=(n, 4, 4)) / 4
    p1, p2, p3, p4 = (p[:, i] for i in range(4))

    def dot(a, b):
        return ((a @ ETA) * b).sum(-1)

    Le = p1[:, :, None] * p3[:, None, :] - (dot(p1, p3) - dot(p1, p1))[:, None, None] * ETA
    Lmu = (p2 @ ETA)[:, :, None] * (p4 @ ETA)[:, None, :] - (dot(p2, p4) - dot(p2, p2))[:, None, None] * ETA
    y = 4 * (Le * Lmu).sum((-1, -2))
    return p.reshape(n, 16), y[:, None]


TASKS = {
    "o5": (O(5), lambda: 2 * V, lambda: Scalar, o5_data),
    "inertia": (SO(3), lambda: 5 * Scalar + 5 * V, lambda: T(2), inertia_data),
    "lorentz": (Lorentz(), lambda: 4 * V, lambda: Scalar, lorentz_data),
}
# default (ch, num_layers) per task: the inertia tensor is cubic in the inputs (m x x^T) and
# needs rank-3 hidden tensors and depth 3
DEFAULT_SIZE = {"o5": (128, 2), "inertia": (256, 3), "lorentz": (128, 2)}


# -------------------------------------------------------------------- training
def train(model, X, Y, Xte, Yte, steps, lr, batch, seed):
    tx = optax.adam(optax.cosine_decay_schedule(lr, steps, alpha=0.05))
    opt = nnx.Optimizer(model, tx, wrt=nnx.Param)

    @nnx.jit
    def step(model, opt, xb, yb):
        def loss_fn(m):
            return jnp.mean((m(xb) - yb) ** 2)
        loss, grads = nnx.value_and_grad(loss_fn)(model)
        opt.update(model, grads)
        return loss

    @nnx.jit
    def predict(model, x):
        return model(x)

    rng = np.random.default_rng(seed)
    n = len(X)
    for t in range(steps):
        idx = rng.choice(n, size=min(batch, n), replace=False)
        step(model, opt, X[idx], Y[idx])
    pred = np.concatenate([np.asarray(predict(model, Xte[i:i + 1000])) for i in range(0, len(Xte), 1000)])
    return float(np.mean((pred - Yte) ** 2))


def run_task(name, args):
    G, rin, rout, gen = TASKS[name]
    ch = args.ch or DEFAULT_SIZE[name][0]
    layers = args.layers or DEFAULT_SIZE[name][1]
    rep_in, rep_out = rin()(G), rout()(G)
    rng = np.random.default_rng(args.seed)
    X, Y = gen(args.ntrain, rng)
    Xte, Yte = gen(args.ntest, rng)
    scale = float(np.std(Y))
    X, Xte = X.astype(np.float32), Xte.astype(np.float32)
    Y, Yte = (Y / scale).astype(np.float32), (Yte / scale).astype(np.float32)
    out = {}
    for kind in ("EMLP", "MLP"):
        t0 = time.time()
        if kind == "EMLP":
            model = EMLP(rep_in, rep_out, G, ch=ch, num_layers=layers, rngs=nnx.Rngs(args.seed))
        else:
            model = MLP(rep_in.size(), rep_out.size(), ch=ch, num_layers=layers, rngs=nnx.Rngs(args.seed))
        mse = train(model, X, Y, Xte, Yte, args.steps, args.lr, args.batch, args.seed)
        out[kind] = mse
        nparams = sum(int(np.prod(p.shape)) for p in jax.tree.leaves(nnx.state(model, nnx.Param)))
        print(f"[{name}] {kind:4s} test MSE {mse:.4g}  ({nparams} params, {time.time() - t0:.0f}s)", flush=True)
    print(f"[{name}] {rep_in} -> {rep_out}, ch={ch}, layers={layers}, {args.steps} steps: EMLP {out['EMLP']:.4g} vs MLP {out['MLP']:.4g} "
          f"({'EMLP wins' if out['EMLP'] < out['MLP'] else 'MLP wins'}; ratio {out['MLP'] / out['EMLP']:.1f}x)", flush=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=list(TASKS) + ["all"], default="all")
    p.add_argument("--ntrain", type=int, default=1000)
    p.add_argument("--ntest", type=int, default=2000)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--ch", type=int, default=None, help="hidden width (default per task: 128, 256 for inertia)")
    p.add_argument("--layers", type=int, default=None, help="EMLP blocks / MLP hidden layers (default 2, 3 for inertia)")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for name in (TASKS if args.task == "all" else [args.task]):
        run_task(name, args)


if __name__ == "__main__":
    main()
