"""Checkpoints of a training run as arrays plus JSON: params, optimizer state, step, RNG key,
history, config, the data's fingerprint.

One ``.npz`` file (read with ``allow_pickle=False``: loading a stranger's workdir runs no code)
holding the array leaves (``params/k``, ``opt_state/k``, ``key``) and a JSON ``meta`` record
(format version, step, history, config, data fingerprint, extra) with a SHA-256 over every array
and the record. Written to a temporary file in the same folder, flushed and fsynced, then moved
over the old file with ``os.replace`` (atomic on POSIX), so an interruption at any moment
(kill -9, Ctrl-C, a full disk) leaves either the previous or the new checkpoint, never a torn one.

On load, a file that is truncated, not an eqsolve checkpoint, of another format version, fails
its checksum, was trained on other data, or whose config differs in a setting that changes the
model or the training is refused with a :class:`CheckpointError` (a ValueError) that names the
file, the setting (as its command-line option, e.g. ``--ch``) and how to start fresh.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ...safeio import atomic_write_bytes

__all__ = [
    "atomic_write_bytes",
    "save_checkpoint",
    "load_checkpoint",
    "read_meta",
    "CheckpointError",
    "CHECKPOINT_NAME",
    "BEST_NAME",
    "LEGACY_NAME",
    "FORMAT",
    "FREE_ON_RESUME",
    "FREE_ON_PREDICT",
    "option_of",
]

CHECKPOINT_NAME = "checkpoint.npz"
BEST_NAME = "best.npz"  # the weights of the best validation step, beside the last checkpoint
LEGACY_NAME = "checkpoint.pkl"  # the pickle format of earlier versions: never loaded
FORMAT = 2

FREE_ON_RESUME = frozenset({"steps", "eval_every", "checkpoint_every", "eval_passes", "eval_samples"})
"""Config fields a resumed training run may change (more steps, other logging); any other
difference is refused by name."""
FREE_ON_PREDICT = FREE_ON_RESUME | {"sampler", "sample_rows", "sample_cols"}
"""Config fields that may differ when a checkpoint is loaded only to predict (``evaluate``)."""

_OPTIONS = {"num_layers": "--layers"}


def option_of(field: str) -> str:
    """The ``eqsolve train`` option of a config field (``ch`` -> ``--ch``)."""
    return _OPTIONS.get(field, "--" + field.replace("_", "-"))


class CheckpointError(ValueError):
    """A checkpoint that cannot or must not be loaded (the message says why and what to do)."""


def _fresh(path) -> str:
    return f"to start fresh, run with --restart (or delete {path}), or use another --workdir"


def _digest(arrays: dict[str, np.ndarray], meta_text: str) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    h.update(meta_text.encode())
    return h.hexdigest()


def save_checkpoint(
    path,
    *,
    params,
    opt_state,
    step: int,
    key,
    history,
    config: dict,
    extra: dict | None = None,
    data: str | None = None,
):
    """Save a checkpoint; ``params``/``opt_state`` are pytrees (stored as their leaves);
    ``data``: the fingerprint of the training data (checked when resuming)."""
    import jax

    key_data = (
        np.asarray(jax.random.key_data(key))
        if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
        else np.asarray(key)
    )
    arrays = {"key": key_data}
    p_leaves = [np.asarray(x) for x in jax.tree.leaves(params)]
    o_leaves = [np.asarray(x) for x in jax.tree.leaves(opt_state)]
    arrays.update({f"params/{k}": a for k, a in enumerate(p_leaves)})
    arrays.update({f"opt_state/{k}": a for k, a in enumerate(o_leaves)})
    meta = {
        "format": FORMAT,
        "step": int(step),
        "history": list(history),
        "config": dict(config),
        "extra": dict(extra or {}),
        "data": data,
        "n_params": len(p_leaves),
        "n_opt_state": len(o_leaves),
    }
    meta_text = json.dumps(meta, sort_keys=True)
    buf = io.BytesIO()
    np.savez(buf, **arrays, meta=np.array(meta_text), checksum=np.array(_digest(arrays, meta_text)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


def _read(path) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of a checkpoint file, checked for format and checksum."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, KeyError) as err:
        raise CheckpointError(
            f"checkpoint {path} is unreadable ({type(err).__name__}: {err}); it is truncated, "
            f"corrupted or not an eqsolve checkpoint; {_fresh(path)}"
        ) from None
    if "meta" not in arrays or "checksum" not in arrays:
        raise CheckpointError(f"checkpoint {path} is not an eqsolve checkpoint (no meta record); {_fresh(path)}")
    meta_text = str(arrays.pop("meta"))
    checksum = str(arrays.pop("checksum"))
    try:
        meta = json.loads(meta_text)
    except json.JSONDecodeError as err:
        raise CheckpointError(f"checkpoint {path} has a corrupted meta record ({err}); {_fresh(path)}") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(
            f"checkpoint {path} has format {meta.get('format')!r}; this eqsolve reads format {FORMAT}; {_fresh(path)}"
        )
    if _digest(arrays, meta_text) != checksum:
        raise CheckpointError(
            f"checkpoint {path} fails its checksum (its arrays or record were changed after writing); {_fresh(path)}"
        )
    return meta, arrays


def read_meta(path) -> dict:
    """The checked JSON record of a checkpoint (format, step, history, config, data, extra)."""
    return _read(path)[0]


def load_checkpoint(
    path,
    *,
    params_template,
    opt_state_template,
    config: dict | None = None,
    data: str | None = None,
    free=FREE_ON_RESUME,
) -> dict[str, Any]:
    """Load a checkpoint into pytrees shaped like the templates (a fresh model/optimizer).

    ``config``: the current run's config (dict); a field outside ``free`` that differs from the
    saved one is refused, named by its option. ``data``: the current data's fingerprint; a
    different saved fingerprint is refused. Returns a dict with step, key, params, opt_state,
    history, config, extra, data.
    """
    import jax
    import jax.numpy as jnp

    path = Path(path)
    meta, arrays = _read(path)
    if config is not None:
        saved = meta["config"]
        diff = [k for k in sorted(set(saved) | set(config)) if k not in free and saved.get(k) != config.get(k)]
        if diff:
            what = ", ".join(f"{option_of(k)} {saved.get(k)!r} (this run: {config.get(k)!r})" for k in diff)
            raise CheckpointError(
                f"checkpoint {path} was trained with other settings: {what}; resume with the "
                f"same settings, or {_fresh(path)}"
            )
    if data is not None and meta.get("data") is not None and meta["data"] != data:
        raise CheckpointError(
            f"checkpoint {path} was trained on other data (fingerprint {meta['data'][:12]}, this "
            f"run's data {data[:12]}); {_fresh(path)}"
        )
    out = {k: meta[k] for k in ("step", "history", "config", "extra", "data")}
    for name, tmpl in (("params", params_template), ("opt_state", opt_state_template)):
        leaves, treedef = jax.tree.flatten(tmpl)
        saved = [arrays[f"{name}/{k}"] for k in range(meta[f"n_{name}"])]
        if len(saved) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(saved, leaves)):
            bad = next((k for k, (a, b) in enumerate(zip(saved, leaves)) if np.shape(a) != np.shape(b)), None)
            shapes = (
                "" if bad is None else f"; array {bad}: saved {np.shape(saved[bad])}, model {np.shape(leaves[bad])}"
            )
            raise CheckpointError(
                f"checkpoint {path}: {name} do not match the model being built ({len(saved)} saved "
                f"arrays vs {len(leaves)} expected{shapes}); {_fresh(path)}"
            )
        out[name] = jax.tree.unflatten(
            treedef, [jnp.asarray(a, dtype=jnp.asarray(b).dtype) for a, b in zip(saved, leaves)]
        )
    out["key"] = jnp.asarray(arrays["key"])
    return out
