"""Flax NNX layers and models, built on :mod:`eqsolve.runtime`.

- equivariant MLPs, with EMLP's names: ``Linear``, ``BiLinear``, ``GatedNonlinearity``,
  ``EMLP``, ``EMLPBlock``, ``MLP`` (baseline), ``Standardize``, ``uniform_rep``,
  ``binomial_allocation``, ``gated``, ``gate_indices``, and the pure-function form ``linear_apply``;
- Hamiltonian networks ``HNet``, ``EMLPH``, ``MLPH`` with ``hamiltonian_flow`` and
  ``symplectic_form``; the fast training step ``TrainStep`` / ``make_train_step``;
- exchangeable layers and models (Hartford et al. 2018): ``ExchangeableLinear``,
  ``SelfSupervisedExchangeable``, ``FactorizedExchangeable``, pure form ``exchangeable_linear``;
- sets: ``DeepSets``, ``SetLinear``, ``SetPool``; recurrent set models ``RecurrentSetModel``
  with the ``sire_regularizer`` / ``sub_regularizer`` penalties; Janossy pooling
  ``JanossyPooling`` (k-ary, exact through the solved T_k patterns, or pi-SGD sampled) and
  ``PermutationJanossy``; set prediction ``SetPredictor`` with ``set_loss`` (Hungarian) and
  ``predict_set``; noise outsourcing ``NoiseOutsourcedSetModel`` with ``energy_score`` and the
  invariance check ``two_sample_test``.

Helpers (pooling, dropout, rating encodings, SIRE internals) stay in their modules.

>>> import jax.numpy as jnp
>>> from flax import nnx
>>> from eqsolve import nn
>>> from eqsolve.groups import S, SO
>>> from eqsolve.reps import V, T
>>> X = V(S(3, label="rows")) * V(S(4, label="cols"))
>>> layer = nn.Linear(8 * X, 16 * X, rngs=nnx.Rngs(0))   # pooling program, 4 tied weights
>>> layer(jnp.ones((2, 8 * 12))).shape
(2, 192)
>>> G = SO(3)
>>> model = nn.EMLP(T(1, 0, G), T(0, 0, G), group=G, ch=16, num_layers=1, rngs=nnx.Rngs(0))
>>> model(jnp.ones((5, 3))).shape
(5, 1)
"""

from .emlp import (
    EMLP,
    EMLPH,
    MLP,
    MLPH,
    EMLPBlock,
    HNet,
    Standardize,
    binomial_allocation,
    hamiltonian_flow,
    symplectic_form,
    uniform_rep,
)
from .exchangeable import ExchangeableLinear, FactorizedExchangeable, SelfSupervisedExchangeable, exchangeable_linear
from .janossy import JanossyPooling, PermutationJanossy
from .layers import BiLinear, GatedNonlinearity, Linear, bilinear_weights, gate_indices, gated, linear_apply
from .probabilistic import NoiseOutsourcedSetModel, energy_score, two_sample_test
from .recurrent import RecurrentSetModel
from .set_prediction import SetPredictor, predict_set, set_loss
from .sets import DeepSets, SetLinear, SetPool
from .sire import sire_regularizer, sub_regularizer
from .step import TrainStep, make_train_step

__all__ = [
    # equivariant MLPs
    "Linear",
    "BiLinear",
    "GatedNonlinearity",
    "EMLP",
    "EMLPBlock",
    "MLP",
    "uniform_rep",
    "binomial_allocation",
    "gated",
    "gate_indices",
    "linear_apply",
    "bilinear_weights",
    "Standardize",
    # Hamiltonian networks and the fast training step
    "HNet",
    "EMLPH",
    "MLPH",
    "hamiltonian_flow",
    "symplectic_form",
    "TrainStep",
    "make_train_step",
    # exchangeable layers and models
    "ExchangeableLinear",
    "SelfSupervisedExchangeable",
    "FactorizedExchangeable",
    "exchangeable_linear",
    # sets and recurrent set models
    "DeepSets",
    "SetLinear",
    "SetPool",
    "RecurrentSetModel",
    "sire_regularizer",
    "sub_regularizer",
    # set models beyond DeepSets: Janossy pooling, set prediction, noise outsourcing
    "JanossyPooling",
    "PermutationJanossy",
    "SetPredictor",
    "set_loss",
    "predict_set",
    "NoiseOutsourcedSetModel",
    "energy_score",
    "two_sample_test",
]
