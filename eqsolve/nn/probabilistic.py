"""Probabilistic symmetry by noise outsourcing (Bloem-Reddy and Teh, "Probabilistic Symmetries
and Invariant Neural Networks", JMLR 2020).

If the conditional distribution of Y given a set X is invariant (Y | pi X has the law of
Y | X for every permutation pi), then Y = f(eta, M(X)) almost surely for a noise variable
eta independent of X (outsourced noise) and a maximal invariant M. For sets M is the
empirical measure of the elements, represented here by

- ``invariant="sort"``: the elements sorted lexicographically (real elements first, padding
  zeroed, the sorted mask appended): a *maximal* invariant, M(x) = M(y) exactly when y is a
  reordering of x (fixed padded size);
- ``invariant="deepsets"``: a learned :class:`~eqsolve.nn.sets.DeepSets` embedding
  (invariant; maximal only as far as the embedding separates sets);
- ``invariant="none"``: the elements flattened in their given order: *not* invariant. It
  exists so that the invariance tests can show that they catch a model that is not.

:class:`NoiseOutsourcedSetModel` draws ``eta ~ N(0, I_noise_dim)`` and returns
``f(eta, M(X))`` with f an MLP, so samples of Y | X are one forward pass each. Since M(pi X)
equals M(X) exactly, the same eta gives the same sample for every ordering: the output law is
invariant pathwise, not just in distribution.

Training (:func:`energy_score`): the energy score ``E||Y - y|| - 1/2 E||Y - Y'||`` (Gneiting
and Raftery 2007) estimated from S samples per input is a strictly proper scoring rule, so
minimising it fits the whole conditional law, multimodal ones included, from samples alone.

Testing invariance (:func:`two_sample_test`): the output samples for X and for pi X (drawn
with independent noise) are compared by a two-sample test, Kolmogorov-Smirnov
(``scipy.stats.ks_2samp``) for scalar outputs or an energy-distance permutation test.

Shapes: x (B, n, F) (or (B, n) tokens with ``num_embeddings`` for ``"deepsets"``), mask (B, n)
bool; samples (S, B, out_features).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from scipy import stats

from .sets import DeepSets

__all__ = ["NoiseOutsourcedSetModel", "sorted_invariant", "energy_score", "two_sample_test", "energy_distance_test"]

INVARIANTS = ("sort", "deepsets", "none")


def sorted_invariant(x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """Maximal invariant of a padded set: rows of x (B, n, F) sorted lexicographically (real
    elements first, padded rows zeroed), with the sorted mask appended: (B, n * (F + 1))."""
    B, n, F = x.shape
    m = jnp.ones((B, n), bool) if mask is None else mask
    keys = [jnp.where(m, x[..., f], jnp.inf) for f in range(F - 1, -1, -1)]  # last key is primary
    order = jnp.lexsort(keys + [~m], axis=-1)
    xs = jnp.take_along_axis(jnp.where(m[..., None], x, 0.0), order[..., None], axis=1)
    ms = jnp.take_along_axis(m, order, axis=1).astype(x.dtype)
    return jnp.concatenate([xs, ms[..., None]], -1).reshape(B, n * (F + 1))


class NoiseOutsourcedSetModel(nnx.Module):
    """``Y = f(eta, M(X))``: a conditionally invariant stochastic model of Y given a set X.

    Args:
      in_features: element feature size F.
      out_features: size of Y.
      set_size: padded set size n (needed by ``"sort"`` and ``"none"``, whose M(X) has n * F
        entries).
      noise_dim: size of the outsourced noise eta.
      hidden, layers: the MLP f (``layers`` hidden layers of width ``hidden``).
      invariant: "sort" | "deepsets" | "none" (module docstring).
      embed: DeepSets embedding size (``"deepsets"``).
      rngs: nnx.Rngs.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        set_size: int | None = None,
        noise_dim: int = 4,
        hidden: int = 64,
        layers: int = 3,
        invariant: str = "sort",
        embed: int = 32,
        rngs: nnx.Rngs,
    ):
        if invariant not in INVARIANTS:
            raise ValueError(f"invariant must be one of {INVARIANTS}, got {invariant!r}")
        if invariant != "deepsets" and set_size is None:
            raise ValueError(f"invariant={invariant!r} flattens the set: give its padded size set_size")
        self.invariant, self.noise_dim, self.set_size = invariant, noise_dim, set_size
        if invariant == "deepsets":
            self.encoder = DeepSets(in_features, hidden, embed, rngs=rngs)
            width = embed
        else:
            self.encoder = None
            width = set_size * (in_features + (1 if invariant == "sort" else 0))
        dims = [width + noise_dim] + [hidden] * layers
        self.hidden_layers = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(dims[:-1], dims[1:])])
        self.out = nnx.Linear(dims[-1], out_features, rngs=rngs)

    def summary(self, x, mask=None):
        """M(X): (B, width)."""
        if self.invariant == "sort":
            return sorted_invariant(x, mask)
        if self.invariant == "deepsets":
            return self.encoder(x, mask)
        xm = x if mask is None else x * mask[..., None]
        return xm.reshape(x.shape[0], -1)

    def __call__(self, x, mask, eta):
        """f(eta, M(X)): eta (..., B, noise_dim) -> (..., B, out_features)."""
        s = self.summary(x, mask)
        h = jnp.concatenate([jnp.broadcast_to(s, eta.shape[:-1] + s.shape[-1:]), eta], -1)
        for layer in self.hidden_layers:
            h = nnx.relu(layer(h))
        return self.out(h)

    def sample(self, x, mask, key, num_samples: int = 1):
        """(num_samples, B, out_features) draws of Y | X."""
        eta = jax.random.normal(key, (num_samples, x.shape[0], self.noise_dim))
        return self(x, mask, eta)


def energy_score(samples: jax.Array, y: jax.Array) -> jax.Array:
    """Mean over the batch of the energy score of samples (S, B, D) (S >= 2) for targets y (B, D):
    ``mean_s ||Y_s - y|| - 1/(2 S (S-1)) sum_{s != t} ||Y_s - Y_t||``."""
    S = samples.shape[0]
    if S < 2:
        raise ValueError(f"the energy score needs at least 2 samples per input, got {S}")
    eps = 1e-12  # keeps the gradient of the norm finite at 0
    d_y = jnp.sqrt(jnp.sum((samples - y[None]) ** 2, -1) + eps).mean(0)
    diff = samples[:, None] - samples[None]
    d_ss = jnp.sqrt(jnp.sum(diff**2, -1) + eps) * (1.0 - jnp.eye(S))[..., None]
    return jnp.mean(d_y - d_ss.sum((0, 1)) / (2.0 * S * (S - 1)))


def energy_distance_test(a: np.ndarray, b: np.ndarray, *, num_permutations: int = 500, seed: int = 0) -> float:
    """Permutation-test p-value of the energy distance between samples a (N, D) and b (M, D)."""
    a, b = np.asarray(a, np.float64).reshape(len(a), -1), np.asarray(b, np.float64).reshape(len(b), -1)
    z = np.concatenate([a, b])
    D = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
    N = len(a)

    def stat(idx):
        ia, ib = idx[:N], idx[N:]
        return 2 * D[np.ix_(ia, ib)].mean() - D[np.ix_(ia, ia)].mean() - D[np.ix_(ib, ib)].mean()

    rng = np.random.default_rng(seed)
    observed = stat(np.arange(len(z)))
    null = np.array([stat(rng.permutation(len(z))) for _ in range(num_permutations)])
    return float((1 + np.sum(null >= observed)) / (1 + num_permutations))


def two_sample_test(a, b, *, method: str = "ks", num_permutations: int = 500, seed: int = 0) -> float:
    """p-value of "a and b are samples of one law". ``method="ks"``: Kolmogorov-Smirnov
    (scalar samples, (N,) or (N, 1)); ``"energy"``: energy-distance permutation test (any D)."""
    if method == "ks":
        a, b = np.asarray(a), np.asarray(b)
        if a.reshape(len(a), -1).shape[1] != 1:
            raise ValueError(f"the KS test compares scalar samples; got shape {a.shape}: use method='energy'")
        return float(stats.ks_2samp(a.reshape(-1), b.reshape(-1)).pvalue)
    if method == "energy":
        return energy_distance_test(a, b, num_permutations=num_permutations, seed=seed)
    raise ValueError(f"method must be 'ks' or 'energy', got {method!r}")
