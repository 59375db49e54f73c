"""EMLP (Finzi, Welling, Wilson 2021) on Flax NNX, with EMLP's names and meanings.

- ``EMLP(rep_in, rep_out, group, ch, num_layers)``: ``num_layers`` ``EMLPBlock``s
  (equivariant Linear -> BiLinear residual -> gated nonlinearity), then a final Linear. The
  hidden rep comes from ``ch`` through ``uniform_rep(ch, group)``: tensors T(p, q) of ranks
  0..r spread evenly over channels, plus one gate scalar per non-scalar channel.
- ``MLP(rep_in, rep_out, group, ch, num_layers)``: the baseline (reps give sizes only).
- ``Standardize(model, ds_stats)``: input normalization / output unnormalization by a
  dataset's ``stats`` (``eqsolve.datasets``).
- ``HNet(network)``, ``EMLPH``, ``MLPH``: Hamiltonian networks (EMLP's HNN): a scalar H(z) from
  the network, dynamics J grad H by autodiff, rollouts by ``jax.experimental.ode.odeint``.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.experimental.ode import odeint

from ..reps.base import Rep, ScalarRep
from ..reps.base import T as _T
from .layers import BiLinear, GatedNonlinearity, Linear, _bind, _Static, gated


def lambert_rank(ch: int, d: int) -> int:
    """The largest rank r with (r + 1) d^r <= ch (EMLP's ``lambertW``)."""
    r = 0
    while (r + 2) * d ** (r + 1) <= ch:
        r += 1
    return r


def binomial_allocation(N: int, rank: int, G, seed: int | None = 0) -> Rep | None:
    """EMLP's ``binomial_allocation``: N tensors of total rank r = p + q over T(p, q) in binomial
    proportion: ``N // 2**r`` copies of ``binom(r, p) * T(p, r - p)`` for every p, and the
    ``N % 2**r`` left over each T(p, r - p) with p ~ Binomial(r, 1/2). EMLP draws the leftover
    from numpy's global state; here from ``default_rng(seed)`` (``seed=None``: fresh entropy, as
    random as EMLP's). For groups whose dual rep equals the rep (orthogonal) every T(p, r - p) is
    T(r), so the result is N * T(r) whatever is drawn."""
    if N <= 0:
        return None
    if rank == 0:
        return N * ScalarRep(G)
    if G.is_orthogonal:
        return N * _T(rank, 0, G)
    counts = [(N // 2**rank) * math.comb(rank, k) for k in range(rank + 1)]
    for p in np.random.default_rng(seed).binomial(rank, 0.5, N % 2**rank):
        counts[int(p)] += 1
    terms = [c * _T(p, rank - p, G) for p, c in enumerate(counts) if c]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def uniform_rep(ch: int, G, seed: int | None = 0) -> Rep:
    """EMLP's heuristic: ``ch`` dimensions spread evenly over tensors of ranks 0..r (size exactly
    ``ch``); each rank's tensors split over T(p, q) by :func:`binomial_allocation` (``seed``: its
    leftover draw; only non-orthogonal groups have one)."""
    if ch < 1:
        raise ValueError(f"uniform_rep needs ch >= 1, got {ch}")
    d = G.d
    Ns = [0] * (lambert_rank(ch, d) + 1)
    while ch > 0:
        r = lambert_rank(ch, d)
        for k in range(r + 1):
            Ns[k] += d ** (r - k)
        ch -= (r + 1) * d**r
    rng = np.random.default_rng(seed)
    parts = [binomial_allocation(n, r, G, seed=int(rng.integers(2**31))) for r, n in enumerate(Ns)]
    parts = [p for p in parts if p is not None]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


class EMLPBlock(nnx.Module):
    """EMLP's block: Linear(rep_in -> gated(rep_out)), BiLinear(gated, gated) residual, gated
    nonlinearity -> rep_out. (batch, rep_in.size()) -> (batch, rep_out.size())."""

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        *,
        rngs: nnx.Rngs,
        mode: str = "auto",
        init_scale: float = 1.0,
        bilinear_std: float = 0.01,
    ):
        g = gated(rep_out)
        self.linear = Linear(rep_in, g, rngs=rngs, mode=mode, init_scale=init_scale)
        self.bilinear = BiLinear(g, g, rngs=rngs, init_std=bilinear_std)
        self.nonlinearity = GatedNonlinearity(rep_out)

    def __call__(self, x):
        lin = self.linear(x)
        return self.nonlinearity(self.bilinear(lin) + lin)


class EMLP(nnx.Module):
    """Equivariant MLP.

    Args:
        rep_in, rep_out: reps (bound, or unbound and bound here to ``group``).
        group: the symmetry group.
        ch: hidden width: an int (``uniform_rep(ch, group)``), a Rep, or a list (one per layer).
        num_layers: number of EMLP blocks.
        rngs: ``nnx.Rngs``.
        init_scale: factor on the Linear layers' initial weights.
        bilinear_std: std of the BiLinear layers' initial weights (default 0.01: EMLP's Flax
            backend; 1.0: EMLP's objax backend, which diverges here at ch 384 on Inertia).
    Input (batch, rep_in.size()) -> output (batch, rep_out.size()). A rep already bound to a
    group other than ``group`` is refused (ValueError).
    """

    def __init__(
        self,
        rep_in: Rep,
        rep_out: Rep,
        group,
        ch=384,
        num_layers: int = 3,
        *,
        rngs: nnx.Rngs,
        mode: str = "auto",
        init_scale: float = 1.0,
        bilinear_std: float = 0.01,
    ):
        self.rep_in, self.rep_out = _bind(rep_in, group), _bind(rep_out, group)
        if isinstance(ch, (list, tuple)):
            middle = [c if isinstance(c, Rep) else uniform_rep(c, group) for c in ch]
        else:
            middle = [ch if isinstance(ch, Rep) else uniform_rep(ch, group)] * num_layers
        middle = [_bind(m, group) for m in middle]
        reps = [self.rep_in] + middle
        self.hidden_reps = middle
        self.G = group
        self.blocks = nnx.List(
            [
                EMLPBlock(a, b, rngs=rngs, mode=mode, init_scale=init_scale, bilinear_std=bilinear_std)
                for a, b in zip(reps[:-1], reps[1:])
            ]
        )
        self.head = Linear(reps[-1], self.rep_out, rngs=rngs, mode=mode, init_scale=init_scale)

    def __call__(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.head(x)


def _size(rep, group) -> int:
    if isinstance(rep, (int, np.integer)):
        if rep < 1:
            raise ValueError(f"MLP: a size must be >= 1, got {rep}")
        return int(rep)
    if not isinstance(rep, Rep):
        raise TypeError(f"MLP: rep_in / rep_out must be a Rep or an int size, got {type(rep).__name__}")
    rep = _bind(rep, group)
    cplx = [f for f in rep.G.factors if f.is_complex]
    if cplx:
        raise ValueError(
            f"MLP is a real network, but {rep} is a rep of {cplx[0]}, a complex group (complex vectors): "
            f"feed real and imaginary parts as real features, i.e. pass int sizes (2 * {rep.size()})"
        )
    return rep.size()


class MLP(nnx.Module):
    """EMLP's baseline MLP: ``num_layers`` Linear + swish layers of width ``ch``, then a Linear.
    Reps and group give the sizes only (ints are accepted as sizes).

    Args:
        rep_in, rep_out: Reps (bound, or bound here to ``group``) or int sizes.
        group: the group the reps belong to (for sizes).
        ch, num_layers: width and number of hidden layers.
        init_scale: kernels ~ truncated normal with variance init_scale^2 / fan_in (1.0 is
            Flax's LeCun default); biases zero.
    (batch, d_in) -> (batch, d_out).
    """

    def __init__(
        self,
        rep_in,
        rep_out,
        group=None,
        ch: int = 384,
        num_layers: int = 3,
        *,
        rngs: nnx.Rngs,
        init_scale: float = 1.0,
    ):
        d_in, d_out = _size(rep_in, group), _size(rep_out, group)
        init = nnx.initializers.variance_scaling(init_scale**2, "fan_in", "truncated_normal")
        dims = [d_in] + [ch] * num_layers
        self.layers = nnx.List([nnx.Linear(a, b, kernel_init=init, rngs=rngs) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nnx.Linear(dims[-1], d_out, kernel_init=init, rngs=rngs)

    def __call__(self, x):
        for lyr in self.layers:
            x = nnx.swish(lyr(x))
        return self.head(x)


class Standardize(nnx.Module):
    """EMLP's ``Standardize``: wraps ``model`` as ``sigma_y * model((x - mu_x) / sigma_x) + mu_y``.

    Args:
        model: any module (batch, d_in) -> (batch, d_out).
        ds_stats: ``(mu_x, sigma_x)`` or ``(mu_x, sigma_x, mu_y, sigma_y)`` (scalars or arrays
            broadcasting against (d_in,) / (d_out,)), e.g. a dataset's ``stats``. They are
            constants (not trained). Statistics that keep equivariance are the caller's job:
            ``eqsolve.datasets`` computes them as EMLP does (one scale per vector, no shifts).
    """

    def __init__(self, model: nnx.Module, ds_stats):
        if len(ds_stats) not in (2, 4):
            raise ValueError(
                f"Standardize: ds_stats must be (mu_x, sigma_x) or (mu_x, sigma_x, mu_y, sigma_y); "
                f"got {len(ds_stats)} entries"
            )
        stats = [np.asarray(s, dtype=np.float32) for s in ds_stats]
        if any(np.any(s == 0) for s in stats[1::2]):
            raise ValueError("Standardize: a scale (sigma_x or sigma_y) is zero")
        self.model = model
        self._stats = _Static(tuple(stats))

    @property
    def stats(self):
        return self._stats.obj

    def __call__(self, x):
        st = self._stats.obj
        y = self.model((x - st[0]) / st[1])
        return y * st[3] + st[2] if len(st) == 4 else y


# ------------------------------------------------------------------- Hamiltonian networks
def symplectic_form(g):
    """J g for J = [[0, I], [-I, 0]]: (..., 2n) -> (..., 2n) = (g_p, -g_q)."""
    n = g.shape[-1] // 2
    return jnp.concatenate([g[..., n:], -g[..., :n]], axis=-1)


class HNet(nnx.Module):
    """EMLP's Hamiltonian neural network: H(z) is ``network(z)`` (a scalar per state) summed over
    the batch (as EMLP's ``EMLPH``/``MLPH``), the dynamics dz/dt = J grad H(z) come by autodiff.

    Args:
        network: module (batch, 2n) -> (batch, 1) (e.g. ``EMLP(4*V, Scalar, O2eR3(), ...)``).
    ``model(z)`` and ``model.H(z)``: (batch, 2n) -> scalar; ``dynamics(z)``: (batch, 2n) -> (batch, 2n);
    ``rollout(z0, ts)``: (batch, 2n), (t,) -> (batch, t, 2n).
    """

    def __init__(self, network: nnx.Module):
        self.network = network

    def H(self, z):
        return self.network(z).sum()

    def __call__(self, z):
        return self.H(z)

    def dynamics(self, z, t=None):
        return symplectic_form(jax.grad(self.H)(z))

    def rollout(self, z0, ts, rtol: float = 1e-4, atol: float = 1e-4):
        """The learned flow from z0 (batch, 2n) at times ts (t,) -> (batch, t, 2n)."""
        graphdef, params, rest = nnx.split(self.network, nnx.Param, ...)
        # odeint's adjoint differentiates all its args: integer state (BiLinear's channel
        # choice) travels as float (exact for indices) and is cast back inside
        dtypes = jax.tree.map(lambda a: a.dtype, rest)
        rest_f = jax.tree.map(lambda a: a.astype(jnp.float32) if jnp.issubdtype(a.dtype, jnp.integer) else a, rest)

        def H(z, params, rest_f):
            rest = jax.tree.map(lambda a, d: a.astype(d), rest_f, dtypes)
            return nnx.merge(graphdef, params, rest)(z).sum()

        return hamiltonian_flow(H, z0, ts, params, rest_f, rtol=rtol, atol=atol)


def hamiltonian_flow(H, z0, ts, *args, rtol: float = 1e-4, atol: float = 1e-4):
    """Integrate dz/dt = J grad_z H(z, *args) (EMLP's ``BHamiltonianFlow``) with JAX's adaptive
    Dormand-Prince ``odeint`` (differentiable in z0 and ``args``, adjoint backward pass).

    H: (batch, 2n), *args -> scalar (summed over the batch); z0 (batch, 2n); ts (t,);
    ``args``: pytrees of arrays H depends on (e.g. a split module's state: pass parameters
    here, not by closure). Returns (batch, t, 2n)."""

    def f(z, t, *args):
        return symplectic_form(jax.grad(H)(z, *args))

    return jnp.swapaxes(odeint(f, z0, ts, *args, rtol=rtol, atol=atol), 0, 1)


class EMLPH(HNet):
    """EMLP's ``EMLPH``: an ``HNet`` whose network is ``EMLP(rep_in, rep_out, group, ...)``."""

    def __init__(self, rep_in, rep_out, group, ch=384, num_layers: int = 3, *, rngs: nnx.Rngs, **kw):
        cplx = [f for f in group.factors if f.is_complex]
        if cplx:
            raise ValueError(
                f"EMLPH: a Hamiltonian is a real function of a real phase space, but {cplx[0]} is a complex "
                f"group (complex reps and an EMLP with complex outputs); use a real group, or EMLP(...) "
                f"with a real readout of your own (e.g. the real part of an invariant output)"
            )
        super().__init__(EMLP(rep_in, rep_out, group, ch=ch, num_layers=num_layers, rngs=rngs, **kw))


class MLPH(HNet):
    """EMLP's ``MLPH``: an ``HNet`` whose network is ``MLP(rep_in, rep_out, group, ...)``."""

    def __init__(self, rep_in, rep_out, group=None, ch: int = 384, num_layers: int = 3, *, rngs: nnx.Rngs, **kw):
        super().__init__(MLP(rep_in, rep_out, group, ch=ch, num_layers=num_layers, rngs=rngs, **kw))
