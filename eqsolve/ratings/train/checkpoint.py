"""Atomic checkpoints of a training run: params, optimizer state, step, RNG key, history.

Written as one pickle of numpy arrays to a temporary file in the same folder, flushed and
fsynced, then moved over the old file with ``os.replace`` (atomic on POSIX), so an
interruption at any moment leaves either the previous or the new checkpoint, never a torn one.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["atomic_write_bytes", "save_checkpoint", "load_checkpoint", "CHECKPOINT_NAME", "BEST_NAME"]

CHECKPOINT_NAME = "checkpoint.pkl"
BEST_NAME = "best.pkl"  # the weights of the best validation step, beside the last checkpoint


def atomic_write_bytes(path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(path, *, params, opt_state, step: int, key, history, config: dict, extra: dict | None = None):
    """Save a checkpoint; ``params``/``opt_state`` are pytrees (stored as their leaves)."""
    import jax

    payload = {
        "format": 1,
        "step": int(step),
        "key": np.asarray(jax.random.key_data(key)) if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) else np.asarray(key),
        "params": [np.asarray(x) for x in jax.tree.leaves(params)],
        "opt_state": [np.asarray(x) for x in jax.tree.leaves(opt_state)],
        "history": list(history),
        "config": dict(config),
        "extra": dict(extra or {}),
    }
    atomic_write_bytes(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def load_checkpoint(path, *, params_template, opt_state_template) -> dict[str, Any]:
    """Load a checkpoint into pytrees shaped like the templates (a fresh model/optimizer)."""
    import jax
    import jax.numpy as jnp

    with open(path, "rb") as f:
        payload = pickle.load(f)
    out = dict(payload)
    for name, tmpl in (("params", params_template), ("opt_state", opt_state_template)):
        leaves, treedef = jax.tree.flatten(tmpl)
        saved = payload[name]
        if len(saved) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(saved, leaves)):
            raise ValueError(
                f"checkpoint {path}: {name} do not match the model being trained "
                f"({len(saved)} saved arrays vs {len(leaves)} expected); was the config changed?"
            )
        out[name] = jax.tree.unflatten(treedef, [jnp.asarray(a, dtype=jnp.asarray(b).dtype) for a, b in zip(saved, leaves)])
    out["key"] = jnp.asarray(payload["key"])
    return out
