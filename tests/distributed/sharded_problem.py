"""A small sparse ratings problem and a training step, run single-device and entry-sharded.

Used by the multi-device checks (``sharded_worker.py`` in a subprocess with 8 forced CPU devices)
and the 2-process check (``multiprocess_worker.py``). Everything is deterministic in the seed.
"""

from __future__ import annotations

import numpy as np

N, M, NNZ, LEVELS = 37, 23, 203, 5  # NNZ is no multiple of 8: the sharded runs pad


def problem(seed: int = 0):
    """(users, items, levels) of NNZ distinct entries of an N x M matrix."""
    rng = np.random.default_rng(seed)
    flat = rng.choice(N * M, NNZ, replace=False)
    users, items = (flat // M).astype(np.int32), (flat % M).astype(np.int32)
    levels = rng.integers(0, LEVELS, NNZ).astype(np.int32)
    return users, items, levels


def model(seed: int = 0):
    from flax import nnx

    from eqsolve.nn import SelfSupervisedExchangeable

    return SelfSupervisedExchangeable(LEVELS, ch=8, num_layers=2, dropout=0.3, rngs=nnx.Rngs(seed))


def batch(mesh=None, seed: int = 0):
    """Host arrays (padded for ``mesh``) and, with a mesh, placed on it."""
    from eqsolve.runtime.sharded import pad_entries, padded_length, put_sharded

    users, items, levels = problem(seed)
    b = {"u": users, "i": items, "level": levels, "valid": np.ones(NNZ, np.float32)}
    if mesh is None:
        return b
    return put_sharded(pad_entries(b, padded_length(NNZ, mesh)), mesh)


def make_fns(graphdef, mesh=None):
    """(train_step, optimizer) for the model graph; ``mesh`` None: one device."""
    import jax
    import jax.numpy as jnp
    import optax
    from flax import nnx

    from eqsolve.nn.exchangeable import encode_ratings
    from eqsolve.nn.sharded import sharded_model_call

    tx = optax.adam(1e-2)

    def forward(params, x, index, w, key):
        m = nnx.merge(graphdef, params)
        if mesh is None:
            return m(x, index, (N, M), w, key=key, deterministic=False)
        return sharded_model_call(m, mesh, x, index, (N, M), w, key=key, deterministic=False)

    def loss_fn(params, b, key):
        kmask, kdrop = jax.random.split(key)
        valid = b["valid"]
        masked = jax.random.bernoulli(kmask, 0.2, valid.shape).astype(jnp.float32) * valid
        x = encode_ratings(b["level"], masked, LEVELS)
        logits = forward(params, x, (b["u"], b["i"]), valid * (1.0 - masked), kdrop)
        ce = optax.softmax_cross_entropy_with_integer_labels(logits, b["level"])
        return jnp.sum(ce * masked) / jnp.maximum(jnp.sum(masked), 1.0), logits

    @jax.jit
    def step(params, opt_state, b, key):
        """One Adam step; also returns the loss, logits and gradients at the incoming weights."""
        (loss, logits), g = jax.value_and_grad(loss_fn, has_aux=True)(params, b, key)
        updates, opt_state = tx.update(g, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss, logits, g

    return step, tx


def run(mesh=None, steps: int = 20, seed: int = 0):
    """Forward logits, gradients at the initial weights, and weights + losses after ``steps``
    Adam steps, as host numpy arrays (logits cut to the NNZ real entries)."""
    import jax
    from flax import nnx

    from eqsolve.runtime.sharded import put_replicated, to_host

    graphdef, params = nnx.split(model(seed))
    if mesh is not None:
        params = put_replicated(params, mesh)
    step, tx = make_fns(graphdef, mesh)
    b = batch(mesh, seed)
    key = jax.random.PRNGKey(seed + 1)
    opt_state = tx.init(params)
    losses, first = [], None
    for t in range(steps):
        params, opt_state, loss, logits, grads = step(params, opt_state, b, jax.random.fold_in(key, t))
        first = (logits, grads) if first is None else first
        losses.append(loss)
    out = {"logits": first[0], "grads": first[1], "params": params, "losses": losses}
    out = to_host(out)
    out["logits"] = out["logits"][:NNZ]
    return out


def rel_err(a, b) -> float:
    """max |a - b| / max |b| over all leaves of two pytrees of arrays."""
    import jax

    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert len(la) == len(lb)
    num = max(float(np.max(np.abs(np.asarray(x, np.float64) - np.asarray(y, np.float64)))) for x, y in zip(la, lb))
    den = max(float(np.max(np.abs(np.asarray(y, np.float64)))) for y in lb)
    return num / den


def compare(out, ref) -> dict:
    return {k: rel_err(out[k], ref[k]) for k in ("logits", "grads", "params", "losses")}
