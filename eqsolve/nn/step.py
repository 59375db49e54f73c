"""A training step that is fast by default for small models: split the NNX module once, jit a
pure function of its state.

``nnx.jit`` re-walks the module graph on every call (tens to hundreds of microseconds in
Python), which dominates a step of a small model. ``TrainStep`` splits the model once into
(graphdef, params, rest), and jits a pure ``(params, opt_state, rest, *batch) -> (params,
opt_state, loss)``; the module is rebuilt (``nnx.merge``) only while tracing. Call
``sync()`` (or read ``.model``) to write the trained state back into the module.

    step = nn.TrainStep(model, optax.adam(3e-3), lambda m, x, y: jnp.mean((m(x) - y) ** 2))
    for xb, yb in batches:
        loss = step(xb, yb)
    pred = step.predict(x_test)      # jitted forward pass with the current weights
    step.sync()                      # model now holds the trained weights

``make_train_step(graphdef, tx, loss_fn)`` returns the pure function itself, for use inside
your own ``jax.jit`` / ``lax.scan`` loops.
"""

from __future__ import annotations

from typing import Callable

import jax
import optax
from flax import nnx


def make_train_step(graphdef, tx: optax.GradientTransformation, loss_fn: Callable):
    """Pure step: ``(params, opt_state, rest, *batch) -> (params, opt_state, loss)``.

    ``loss_fn(model, *batch) -> scalar`` receives the module rebuilt from the state."""

    def step(params, opt_state, rest, *batch):
        def f(p):
            return loss_fn(nnx.merge(graphdef, p, rest), *batch)

        loss, grads = jax.value_and_grad(f)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    return step


def _leaves_step(graphdef, ptree, rtree, tx, loss_fn):
    """``make_train_step`` on flat lists of arrays (cheaper to pass per call than State trees)."""

    def step(pleaves, opt_state, rleaves, *batch):
        rest = jax.tree.unflatten(rtree, rleaves)

        def f(pl):
            return loss_fn(nnx.merge(graphdef, jax.tree.unflatten(ptree, pl), rest), *batch)

        loss, grads = jax.value_and_grad(f)(pleaves)
        updates, opt_state = tx.update(grads, opt_state, pleaves)
        return optax.apply_updates(pleaves, updates), opt_state, loss

    return step


class TrainStep:
    """Split once, jit a pure step (see the module docstring).

    The state is held as flat lists of arrays (``params``, ``rest``; the optimizer state is
    over the ``params`` list), so a call hands jit a few lists rather than NNX State trees.

    Args:
        model: an ``nnx.Module``; its ``nnx.Param``s are trained, everything else is carried.
        tx: an optax transformation.
        loss_fn: ``(model, *batch) -> scalar loss``.
        donate: donate the old state's buffers to the update (default: on accelerators only;
            XLA on CPU does not use donations).
    """

    def __init__(
        self, model: nnx.Module, tx: optax.GradientTransformation, loss_fn: Callable, donate: bool | None = None
    ):
        self._model = model
        self.graphdef, params, rest = nnx.split(model, nnx.Param, ...)
        self._ptree, self._rtree = jax.tree.structure(params), jax.tree.structure(rest)
        self.params, self.rest = jax.tree.leaves(params), jax.tree.leaves(rest)
        self.tx = tx
        self.opt_state = tx.init(self.params)
        if donate is None:
            donate = jax.default_backend() != "cpu"
        step = _leaves_step(self.graphdef, self._ptree, self._rtree, tx, loss_fn)
        self._step = jax.jit(step, donate_argnums=(0, 1) if donate else ())
        graphdef, ptree, rtree = self.graphdef, self._ptree, self._rtree
        self._apply = jax.jit(
            lambda pl, rl, *x: nnx.merge(graphdef, jax.tree.unflatten(ptree, pl), jax.tree.unflatten(rtree, rl))(*x)
        )

    def __call__(self, *batch):
        """One optimizer step on ``batch``; returns the loss (a JAX scalar; no host sync)."""
        self.params, self.opt_state, loss = self._step(self.params, self.opt_state, self.rest, *batch)
        return loss

    def load(self, model: nnx.Module) -> None:
        """Take the state of another module of the same structure (e.g. built with another
        seed) and reset the optimizer, reusing the compiled step (no new tracing)."""
        _, params, rest = nnx.split(model, nnx.Param, ...)
        for what, new, tree, old in (
            ("parameters", params, self._ptree, self.params),
            ("state", rest, self._rtree, self.rest),
        ):
            leaves = jax.tree.leaves(new)
            if jax.tree.structure(new) != tree or any(
                a.shape != b.shape or a.dtype != b.dtype for a, b in zip(leaves, old)
            ):
                raise ValueError(
                    f"TrainStep.load: the {what} of {type(model).__name__} do not match the "
                    f"structure this step was built for; build a new TrainStep for it"
                )
        self.params, self.rest, self._model = jax.tree.leaves(params), jax.tree.leaves(rest), model
        self.opt_state = self.tx.init(self.params)

    def predict(self, *x):
        """The model's output on ``x`` with the current weights (jitted)."""
        return self._apply(self.params, self.rest, *x)

    def sync(self) -> nnx.Module:
        """Write the current weights into the module and return it."""
        nnx.update(
            self._model, jax.tree.unflatten(self._ptree, self.params), jax.tree.unflatten(self._rtree, self.rest)
        )
        return self._model

    @property
    def model(self) -> nnx.Module:
        return self.sync()
