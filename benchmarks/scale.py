"""Full-batch exchangeable training at ML-10M / Netflix shape, split over 1/2/4/8 devices.

    python benchmarks/scale.py                   # memory (compile only) + one timed step, ML-10M
    python benchmarks/scale.py --quick           # small shape, for a smoke run
    python benchmarks/scale.py --skip-run        # memory analysis only (no arrays allocated)

The measured program is the ratings trainer's own full-batch step (``Trainer(mesh=...)``:
masked cross-entropy, Adam, the model in ``shard_map`` with pooled tables psum'd).

1. Peak memory per device, from the compiled program's ``memory_analysis()`` (arguments +
   outputs + temporaries - aliased), for 1/2/4/8 virtual CPU devices at ``--ch`` channels and
   ``--layers`` layers; target: 8 devices <= 1.3 x (1 device) / 8. Compiling needs no data
   (``jax.ShapeDtypeStruct`` inputs), so this part runs at the full shape on any machine.
2. A memory model, per device:  bytes = nnz/P * (a + b * ch * L) + (N + M) * c * ch * L,
   fitted to the 1-device figures at two channel counts and checked against every measured
   device count (relative error printed).
3. From the model: devices of 16 / 40 / 80 GB needed for Netflix shape (480,189 x 17,770,
   100,480,507 ratings) at 64 channels and 8 layers (10% of each device kept free), and the
   model checked against a compile at that shape on 8 devices.
4. Seconds per step and entries per second for each device count, with real arrays
   (``--run-ch`` channels: at 64 a 10M-entry step takes minutes on 2 cores). The devices are
   virtual CPU devices on one machine: this shows the program runs split, not a speed-up.

The script sets 8 virtual CPU devices before JAX starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

SHAPES = {
    "ml-10m": (71_567, 10_677, 10_000_054),
    "netflix": (480_189, 17_770, 100_480_507),
    "quick": (2_000, 1_000, 100_000),
}
GB = 2**30


def build(shape, ch, layers, mesh):
    """(jitted step, params, opt_state, batch shapes, sizes) of the trainer's full-batch step."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    from eqsolve.ratings.data.ratings import Ratings
    from eqsolve.ratings.train.config import TrainConfig
    from eqsolve.ratings.train.trainer import Trainer
    from eqsolve.runtime.sharded import ENTRY_AXIS, padded_length

    n_users, n_items, nnz = shape
    cfg = TrainConfig(ch=ch, num_layers=layers, dropout=0.1, steps=10, levels=(1.0, 2.0, 3.0, 4.0, 5.0), clip=1.0)
    tiny = Ratings(np.arange(5) % n_users, np.arange(5) % n_items, np.arange(1, 6), n_users, n_items)
    trainer = Trainer(cfg, tiny, None, mesh=mesh)  # the model, optimizer and jitted step of this config
    n = nnz if mesh is None else padded_length(nnz, mesh)
    sharding = None if mesh is None else NamedSharding(mesh, P(ENTRY_AXIS))
    spec = lambda dt: jax.ShapeDtypeStruct((n,), dt, sharding=sharding)
    batch = {
        "u": spec(jnp.int32),
        "i": spec(jnp.int32),
        "level": spec(jnp.int32),
        "valid": spec(jnp.float32),
        "fixed": spec(jnp.float32),
    }
    fns = trainer.fns if mesh is None else trainer.fns.fns
    return fns.step, trainer.params, trainer.opt_state, batch, (n_users, n_items), trainer


LR = 1e-3  # the step takes its learning rate as an argument (the trainer's schedule)


def memory(shape, ch, layers, mesh):
    import jax

    from eqsolve.runtime.sharded import memory_per_device

    step, params, opt_state, batch, sizes, _ = build(shape, ch, layers, mesh)
    key, lr = jax.random.PRNGKey(0), jax.numpy.float32(LR)
    if mesh is not None:
        from eqsolve.runtime.sharded import put_replicated

        key, lr = put_replicated(key, mesh), put_replicated(lr, mesh)
    compiled = step.lower(params, opt_state, batch, key, sizes, lr).compile()
    return memory_per_device(compiled)


def timed_steps(shape, ch, layers, mesh, repeats, seed=0):
    """Median seconds per full-batch step with random entries (same count and shape)."""
    import jax
    import numpy as np

    from eqsolve.ratings.train.sharded import place_batch, replicate

    step, params, opt_state, _, sizes, _ = build(shape, ch, layers, mesh)
    n_users, n_items, nnz = shape
    rng = np.random.default_rng(seed)
    host = {
        "u": rng.integers(0, n_users, nnz, dtype=np.int32),
        "i": rng.integers(0, n_items, nnz, dtype=np.int32),
        "level": rng.integers(0, 5, nnz, dtype=np.int32),
        "valid": np.ones(nnz, np.float32),
        "fixed": np.zeros(nnz, np.float32),
    }
    batch = jax.tree.map(jax.numpy.asarray, host) if mesh is None else place_batch(host, mesh)
    key, lr = jax.random.PRNGKey(seed), jax.numpy.float32(LR)
    if mesh is not None:
        key, lr = replicate(key, mesh), replicate(lr, mesh)
    times = []
    for r in range(repeats + 1):  # the first call compiles
        t = time.perf_counter()
        params, opt_state, loss = step(params, opt_state, batch, key, sizes, lr)
        jax.block_until_ready(loss)
        times.append(time.perf_counter() - t)
    return float(np.median(times[1:])), float(loss)


def fit_model(shape, layers, m_lo, m_hi, ch_lo, ch_hi):
    """(a, b, c) of bytes = nnz*(a + b*ch*L) + (N+M)*c*ch*L from two 1-device figures; the
    table term c is read off the device-count scaling later (start with c = 0)."""
    n_users, n_items, nnz = shape
    b = (m_hi - m_lo) / (nnz * (ch_hi - ch_lo) * layers)
    a = m_hi / nnz - b * ch_hi * layers
    return a, b


def predict(model, shape, ch, layers, devices):
    a, b, c = model
    n_users, n_items, nnz = shape
    return nnz / devices * (a + b * ch * layers) + (n_users + n_items) * c * ch * layers


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", choices=sorted(SHAPES), default="ml-10m")
    p.add_argument("--quick", action="store_true", help="small shape (2000 x 1000, 10^5 entries)")
    p.add_argument("--ch", type=int, default=64)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--run-ch", type=int, default=16, help="channels of the timed steps")
    p.add_argument("--run-devices", type=int, nargs="+", default=None, help="device counts timed (default: --devices)")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--skip-run", action="store_true", help="memory analysis only")
    p.add_argument("--skip-netflix", action="store_true", help="no compile at Netflix shape")
    args = p.parse_args(argv)

    import jax

    jax.config.update("jax_num_cpu_devices", max(max(args.devices), 8))
    from eqsolve.allocator import keep_freed_memory

    keep_freed_memory()
    from eqsolve.runtime.sharded import entry_mesh

    shape = SHAPES["quick" if args.quick else args.shape]
    N, M, nnz = shape
    mesh_of = lambda d: None if d == 1 else entry_mesh(d)
    print(
        f"[1] memory per device, {args.shape if not args.quick else 'quick'} shape {N} x {M}, {nnz} entries, "
        f"{args.ch} channels, {args.layers} layers (compiled memory_analysis: arguments + outputs + temporaries)"
    )
    mem = {}
    for d in args.devices:
        m = memory(shape, args.ch, args.layers, mesh_of(d))
        mem[d] = m["total"]
        print(
            f"  {d} device(s): {m['total'] / GB:7.3f} GB/device (arguments {m['argument'] / GB:.3f}, temporaries "
            f"{m['temp'] / GB:.3f}, outputs {m['output'] / GB:.3f}); x{d} / (1 device) = {d * m['total'] / mem[args.devices[0]]:.3f}",
            flush=True,
        )
    if 1 in mem and 8 in mem:
        print(
            f"  target: 8 devices <= 1.3 x single/8: {mem[8] / (mem[1] / 8):.3f} x single/8 "
            f"({'met' if mem[8] <= 1.3 * mem[1] / 8 else 'NOT met'})"
        )

    print("[2] memory model bytes/device = nnz/P * (a + b*ch*L) + (N+M) * c * ch*L")
    ch_lo = max(args.ch // 4, 4)
    m_lo = memory(shape, ch_lo, args.layers, None)["total"]
    a, b = fit_model(shape, args.layers, m_lo, mem[1], ch_lo, args.ch) if 1 in mem else (0.0, 0.0)
    # the replicated part: what does not shrink with P, per channel-layer and row/column
    d_max = max(mem)
    c = (
        max(0.0, (mem[d_max] - nnz / d_max * (a + b * args.ch * args.layers) - 0.0) / ((N + M) * args.ch * args.layers))
        if d_max > 1
        else 0.0
    )
    # refit a, b with the table term taken out of the 1-device figures
    t_hi, t_lo = (N + M) * c * args.ch * args.layers, (N + M) * c * ch_lo * args.layers
    a, b = fit_model(shape, args.layers, m_lo - t_lo, mem[1] - t_hi, ch_lo, args.ch)
    model = (a, b, c)
    print(
        f"  fitted from 1 device at {ch_lo} and {args.ch} channels and {d_max} devices: a = {a:.1f} B/entry, "
        f"b = {b:.2f} B/entry/channel/layer, c = {c:.2f} B/row-or-column/channel/layer"
    )
    for d in args.devices:
        pr = predict(model, shape, args.ch, args.layers, d)
        print(f"  {d} device(s): model {pr / GB:.3f} GB, measured {mem[d] / GB:.3f} GB, error {pr / mem[d] - 1:+.1%}")

    nf = SHAPES["netflix"]
    print(
        "[3] Netflix shape 480,189 x 17,770, 100,480,507 ratings, 64 channels, 8 layers: devices needed "
        "(model, 90% of each device usable)"
    )
    for cap in (16, 40, 80):
        need = next(
            (d for d in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if predict(model, nf, 64, 8, d) <= 0.9 * cap * GB), None
        )
        per = predict(model, nf, 64, 8, need) / GB if need else float("nan")
        print(f"  {cap:3d} GB devices: {need} ({per:.1f} GB each)")
    if not args.skip_netflix:
        m = memory(nf, 64, 8, mesh_of(8))
        pr = predict(model, nf, 64, 8, 8)
        print(
            f"  check, compiled at Netflix shape on 8 devices: {m['total'] / GB:.2f} GB/device, model "
            f"{pr / GB:.2f} GB ({pr / m['total'] - 1:+.1%})",
            flush=True,
        )

    if args.skip_run:
        return 0
    run_devices = args.run_devices or args.devices
    print(
        f"[4] full-batch training steps with real arrays, {args.run_ch} channels, {args.layers} layers "
        f"(virtual CPU devices sharing this machine's cores)"
    )
    for d in run_devices:
        sec, loss = timed_steps(shape, args.run_ch, args.layers, mesh_of(d), args.repeats)
        print(f"  {d} device(s): {sec:.2f} s/step, {nnz / sec / 1e6:.2f} M entries/s (loss {loss:.4f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
