"""EMLP's regression tasks (Finzi et al. 2021) on EMLP's own data (``eqsolve.datasets``):
the equivariant MLP against a plain MLP of the same width and depth, trained alike.

    python examples/emlp_tasks.py                      # all three tasks, the defaults below
    python examples/emlp_tasks.py --task inertia --seeds 5 --steps 3000
    python examples/emlp_tasks.py --tiny               # seconds (inertia only): the test-suite setting

Tasks (EMLP's dataset classes, groups, distributions and standardization):
    o5       O5Synthetic          2T1 -> T0 under O(5)
    inertia  Inertia              5T0 + 5T1 -> T2 under O(3) (softplus(normal) masses)
    lorentz  ParticleInteraction  4T1 -> T0 under O(1,3)

Protocol (identical for both models): one dataset of ntrain + nval + ntest points per seed
(stats over all of it, as EMLP), models wrapped in ``Standardize(model, ds.stats)``, MSE loss
in the data's units, Adam with a cosine-decayed learning rate, batch 200. The learning rate and
the init scale are chosen per model from the grids ``--lrs`` x ``--inits`` by validation MSE
(seed 0); the chosen setting is then trained with ``--seeds`` seeds (data, init and batch order
all change with the seed) and the test MSE is reported as mean and std over seeds.
Training uses ``nn.TrainStep`` (split once, one jitted pure step for all seeds and settings).

Measured (``--steps 1500 --ch 128 --layers 3 --lrs 1e-3 3e-3 --inits 0.5 1.0 --seeds 3
--bilinear-std 1``, the other defaults; test MSE, mean +- std over 3 seeds):

    o5       EMLP 0.0080 +- 0.0016   MLP 0.094 +- 0.009    12x   (paper, ch 384: ~5x)
    inertia  EMLP 1.71 +- 0.18       MLP 3.65 +- 0.04      2.1x  (paper: ~25x; EMLP 0.075-0.17)
    lorentz  EMLP 0.0033 +- 0.0001   MLP 0.387 +- 0.023    118x  (paper: ~1000x; EMLP 3e-4)

EMLP wins every task here, but on inertia by 2x, not by the paper's orders of magnitude, and
its inertia MSE is 10-20x above the paper's EMLP at this budget (a third of the paper's width).
One seed of inertia at the paper's width (``--task inertia --ch 384``, lr 3e-3, init 0.5): test
MSE 0.106 with the bilinear init std 0.01 (the paper's EMLP: 0.075-0.17), 800 (diverged) with 1.0;
hence the default 0.01. The three-task table was not rerun with it (CPU time).
"""

from __future__ import annotations

import argparse
import json
import time

import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from eqsolve.datasets import Inertia, O5Synthetic, ParticleInteraction, split
from eqsolve.nn import EMLP, MLP, Standardize, TrainStep

TASKS = {"o5": O5Synthetic, "inertia": Inertia, "lorentz": ParticleInteraction}
MODELS = {"EMLP": EMLP, "MLP": MLP}
# the EMLP paper's numbers at 1000 training points (ch 384, 3 layers, 900 epochs of batch 500;
# experiments/notebooks/synthetic_results_all.csv in mfinzi/equivariant-MLP, 3 trials each)
PAPER = (
    "EMLP paper (Finzi et al. 2021) at ntrain 1000, ch 384, 3 layers, 900 epochs: test MSE "
    "o5 EMLP-O(5) 0.012-0.023 vs MLP 0.085-0.094 (~5x); inertia EMLP-O(3) 0.075-0.17 vs MLP 3.23 "
    "(~25x); lorentz EMLP-O(1,3) 3.0e-4-3.9e-4 vs MLP 0.32-0.39 (~1000x)"
)


def mse_loss(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


def optimizer(steps: int):
    """Adam, learning rate lr * cosine(step / steps); lr lives in the optimizer state
    (``hyperparams['lr']``) so one compiled step serves every learning rate."""

    def make(lr):
        return optax.chain(
            optax.scale_by_adam(),
            optax.scale_by_schedule(optax.cosine_decay_schedule(1.0, steps)),
            optax.scale(-1.0),
            optax.scale(lr),
        )

    return optax.inject_hyperparams(make)(lr=1e-3)


class Runner:
    """Trains one model kind on one task; compiles once per (task, kind)."""

    def __init__(self, task, kind, args):
        self.task, self.kind, self.args = task, kind, args
        self.tx = optimizer(args.steps)
        self.step = None

    def data(self, seed):
        a = self.args
        ds = TASKS[self.task](a.ntrain + a.nval + a.ntest, seed=seed)
        idx = split(len(ds), {"train": a.ntrain, "val": a.nval, "test": a.ntest}, seed=seed)
        f32 = {k: (ds.X[v].astype(np.float32), ds.Y[v].astype(np.float32)) for k, v in idx.items()}
        return ds, f32

    def build(self, ds, seed, init):
        a = self.args
        kw = {"bilinear_std": a.bilinear_std} if self.kind == "EMLP" else {}
        net = MODELS[self.kind](
            ds.rep_in, ds.rep_out, ds.symmetry, ch=a.ch, num_layers=a.layers, rngs=nnx.Rngs(seed), init_scale=init, **kw
        )
        return Standardize(net, ds.stats)

    def train(self, seed, lr, init):
        """-> (val MSE, test MSE, seconds)."""
        ds, d = self.data(seed)
        model = self.build(ds, seed, init)
        if self.step is None:
            self.step = TrainStep(model, self.tx, mse_loss)
        else:
            self.step.load(model)
        self.step.opt_state.hyperparams["lr"] = jnp.asarray(lr, jnp.float32)
        X, Y = d["train"]
        rng = np.random.default_rng(seed)
        bs = min(self.args.batch, len(X))
        t0 = time.time()
        for _ in range(self.args.steps):
            i = rng.choice(len(X), size=bs, replace=False)
            loss = self.step(X[i], Y[i])
        loss.block_until_ready()
        secs = time.time() - t0
        # val and test in one call (one compiled shape)
        (Xv, Yv), (Xt, Yt) = d["val"], d["test"]
        err = (np.asarray(self.step.predict(np.concatenate([Xv, Xt]))) - np.concatenate([Yv, Yt])) ** 2
        return float(err[: len(Xv)].mean()), float(err[len(Xv) :].mean()), secs


def run_task(task, args, log=print):
    rows = {}
    for kind in MODELS:
        r = Runner(task, kind, args)
        tuning = []
        for lr in args.lrs:
            for init in args.inits:
                val, _, secs = r.train(0, lr, init)
                tuning.append((val if np.isfinite(val) else np.inf, lr, init))
                log(f"  [{task}] {kind:4s} lr {lr:g} init {init:g}: val MSE {val:.4g} ({secs:.1f}s)")
        _, lr, init = min(tuning)
        tests, times = [], []
        for seed in range(args.seeds):
            _, test, secs = r.train(seed, lr, init)
            tests.append(test)
            times.append(secs / args.steps * 1e3)
        rows[kind] = dict(
            lr=lr,
            init=init,
            test=tests,
            mean=float(np.mean(tests)),
            std=float(np.std(tests)),
            ms_per_step=float(np.median(times)),
        )
        log(
            f"  [{task}] {kind:4s} chose lr {lr:g} init {init:g}: test MSE {rows[kind]['mean']:.4g} "
            f"+- {rows[kind]['std']:.2g} over {args.seeds} seeds"
        )
    return rows


def table(results, args) -> str:
    head = (
        f"budget: ntrain {args.ntrain}, nval {args.nval}, ntest {args.ntest}, {args.steps} steps of batch "
        f"{args.batch}, ch {args.ch}, {args.layers} layers, lr grid {args.lrs}, init grid {args.inits}, "
        f"{args.seeds} seeds\n"
    )
    lines = [
        head,
        "| task | EMLP test MSE (mean +- std) | MLP test MSE (mean +- std) | MLP / EMLP | EMLP lr, init | "
        "MLP lr, init | ms/step EMLP, MLP |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, rows in results.items():
        e, m = rows["EMLP"], rows["MLP"]
        lines.append(
            f"| {task} | {e['mean']:.3g} +- {e['std']:.2g} | {m['mean']:.3g} +- {m['std']:.2g} | "
            f"{m['mean'] / e['mean']:.2g}x | {e['lr']:g}, {e['init']:g} | {m['lr']:g}, {m['init']:g} | "
            f"{e['ms_per_step']:.2g}, {m['ms_per_step']:.2g} |"
        )
    verdicts = []
    for task, rows in results.items():
        e, m = rows["EMLP"], rows["MLP"]
        if e["mean"] + e["std"] < m["mean"] - m["std"]:
            verdicts.append(f"{task}: EMLP better ({m['mean'] / e['mean']:.2g}x)")
        elif m["mean"] + m["std"] < e["mean"] - e["std"]:
            verdicts.append(
                f"{task}: the MLP is better at this budget ({e['mean'] / m['mean']:.2g}x): "
                f"the paper's claim does not hold here"
            )
        else:
            verdicts.append(f"{task}: no clear winner at this budget (spreads overlap)")
    return "\n".join(lines + ["", PAPER, *verdicts])


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=list(TASKS) + ["all"], default="all")
    p.add_argument("--ntrain", type=int, default=1000)
    p.add_argument("--nval", type=int, default=500)
    p.add_argument("--ntest", type=int, default=2000)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--ch", type=int, default=128, help="hidden width, both models (EMLP: uniform_rep(ch, G))")
    p.add_argument("--layers", type=int, default=3, help="EMLP blocks = MLP hidden layers")
    p.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 3e-3, 1e-2])
    p.add_argument("--inits", type=float, nargs="+", default=[0.5, 1.0], help="init scales to choose from")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument(
        "--bilinear-std",
        type=float,
        default=0.01,
        help="EMLP's bilinear init std (0.01: EMLP's Flax init, the default; 1.0: EMLP's objax init, "
        "used for the measured table below)",
    )
    p.add_argument("--json", default=None, help="write the results here")
    p.add_argument("--tiny", action="store_true", help="seconds-long smoke run (the test suite's setting)")
    args = p.parse_args(argv)
    if args.tiny:  # one task (inertia, issue 20's case) unless --task is given
        args.task = "inertia" if args.task == "all" else args.task
        args.ntrain, args.nval, args.ntest, args.steps = 40, 20, 40, 3
        args.ch, args.layers, args.lrs, args.inits, args.seeds = 12, 1, [3e-3], [1.0], 2
    for name in ("ntrain", "nval", "ntest", "steps", "batch", "ch", "layers", "seeds"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if any(not (lr > 0 and np.isfinite(lr)) for lr in args.lrs) or any(not (s > 0) for s in args.inits):
        p.error(f"--lrs and --inits must be positive, got {args.lrs} and {args.inits}")
    return args


def main(argv=None):
    args = parse(argv)
    results = {}
    for task in TASKS if args.task == "all" else [args.task]:
        results[task] = run_task(task, args)
        if args.json:  # after every task, so a long run keeps what it finished
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), "results": results}, f, indent=1)
    print(table(results, args), flush=True)
    bad = [f"{t} {k}" for t, rows in results.items() for k, r in rows.items() if not np.all(np.isfinite(r["test"]))]
    if bad:
        raise SystemExit(f"non-finite test MSE for {', '.join(bad)}")
    return results


if __name__ == "__main__":
    main()
