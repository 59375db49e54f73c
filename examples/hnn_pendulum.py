"""Hamiltonian networks on EMLP's double spring pendulum (Finzi et al. 2021, Sec. 7): an
O(2)-equivariant EMLP Hamiltonian (``nn.EMLPH`` over ``O2eR3()``) beside an MLP Hamiltonian
(``nn.MLPH``), both trained through the ODE solver on trajectory chunks.

    python examples/hnn_pendulum.py --tiny           # tiny (the defaults; run by the test suite)
    python examples/hnn_pendulum.py --ntrain 500 --steps 2000 --ch 128 --layers 3   # EMLP's setting

Data: ``eqsolve.datasets.DoubleSpringPendulum`` (EMLP's Hamiltonian and initial conditions;
chunks of 5 points, dt 0.2, from 30-time-unit trajectories). Loss: MSE between the rollout
``model.rollout(z0, T)`` (JAX ``odeint``, rtol 1e-4 as EMLP) and the true chunk. Reported:
test chunk MSE and EMLP's rollout error (geometric mean over time of the relative error
|z - z*| / (|z| + |z*|)) over ``--horizon`` time units from held-out initial states.
Training uses ``nn.TrainStep`` (split once, jit a pure step). EMLPH's bilinear weights start
at EMLP's Flax init N(0, 0.01^2) (``--bilinear-std``): with the objax init N(0, 1) the initial
Hamiltonian's gradients are so large that the ODE solver's first rollout is already NaN.
"""

from __future__ import annotations

import argparse
import time

import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from eqsolve.datasets import DoubleSpringPendulum
from eqsolve.nn import EMLPH, MLPH, TrainStep
from eqsolve.reps import Scalar


def chunk_loss(model, z0, ts, zs):
    return jnp.mean((model.rollout(z0, ts) - zs) ** 2)


def rollout_error(pred, true):
    """EMLP's log_rollout_error, exponentiated: geometric mean over states and times of
    rms(pred - true) / (rms(pred) + rms(true))."""

    def rms(a):
        return np.sqrt((a**2).mean(-1))

    rel = rms(pred - true) / (rms(pred) + rms(true))
    return float(np.exp(np.log(np.clip(rel, 1e-7, None)).mean()))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ntrain", type=int, default=16)
    p.add_argument("--ntest", type=int, default=8)
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--ch", type=int, default=12)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--horizon", type=float, default=1.0, help="rollout-error horizon (>= one chunk; EMLP: 30)")
    p.add_argument("--integration-time", type=float, default=30.0, help="trajectory length chunks are cut from")
    p.add_argument(
        "--bilinear-std",
        type=float,
        default=0.01,
        help="EMLPH's bilinear init std (EMLP's Flax init 0.01; with the objax/paper 1.0 the "
        "initial learned dynamics blow up the ODE solver at ch 32, 2 layers: NaN)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", help="the tiny defaults, whatever else is given (the test suite)")
    args = p.parse_args(argv)
    if args.tiny:
        args.ntrain, args.ntest, args.steps, args.ch, args.layers, args.horizon = 16, 8, 2, 12, 1, 1.0
        args.integration_time = 30.0
    for name in ("ntrain", "ntest", "steps", "batch", "ch", "layers"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if not (args.lr > 0 and args.horizon > 0):
        p.error("--lr and --horizon must be positive")

    ds = DoubleSpringPendulum(args.ntrain + args.ntest, seed=args.seed, integration_time=args.integration_time)
    Z = ds.Zs.astype(np.float32)
    ts = jnp.asarray(ds.T, jnp.float32)
    train, test = Z[: args.ntrain], Z[args.ntrain :]
    t_long = np.arange(0, max(args.horizon, len(ds.T) * 0.2 + 1e-9), 0.2)
    true_long = DoubleSpringPendulum.integrate(test[:, 0].astype(np.float64), t_long)
    results = {}
    for name, cls in (("EMLP", EMLPH), ("MLP", MLPH)):
        kw = {"bilinear_std": args.bilinear_std} if cls is EMLPH else {}
        model = cls(ds.rep_in, Scalar, ds.symmetry, ch=args.ch, num_layers=args.layers, rngs=nnx.Rngs(args.seed), **kw)
        step = TrainStep(model, optax.adam(args.lr), chunk_loss)
        rng = np.random.default_rng(args.seed)
        t0 = time.time()
        for _ in range(args.steps):
            i = rng.choice(len(train), size=min(args.batch, len(train)), replace=False)
            loss = step(train[i, 0], ts, train[i])
        float(loss)
        secs = time.time() - t0
        m = step.sync()
        # one rollout from the held-out chunk starts serves both metrics (T is a prefix of t_long)
        pred_long = np.asarray(m.rollout(jnp.asarray(test[:, 0]), jnp.asarray(t_long, jnp.float32)))
        test_mse = float(np.mean((pred_long[:, : test.shape[1]] - test) ** 2))
        results[name] = (test_mse, rollout_error(pred_long, true_long))
        print(
            f"[{name}H] train {args.steps} steps ({secs:.1f}s): test chunk MSE {test_mse:.4g}, "
            f"rollout error over {args.horizon:g} time units {results[name][1]:.3g}",
            flush=True,
        )
    print(
        f"symmetry {ds.symmetry}, ntrain {args.ntrain}, ch {args.ch}, layers {args.layers}, {args.steps} steps: "
        f"EMLP {results['EMLP'][0]:.4g} vs MLP {results['MLP'][0]:.4g} test chunk MSE"
    )
    bad = [k for k, v in results.items() if not np.all(np.isfinite(v))]
    if bad:
        raise SystemExit(f"non-finite results for {bad}")
    return results


if __name__ == "__main__":
    main()
