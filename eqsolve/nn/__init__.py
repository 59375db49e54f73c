"""Flax NNX layers and models, built on :mod:`eqsolve.runtime`.

- equivariant MLPs, with EMLP's names: ``Linear``, ``BiLinear``, ``GatedNonlinearity``,
  ``EMLP``, ``EMLPBlock``, ``MLP`` (baseline), ``uniform_rep``, ``binomial_allocation``,
  ``gated``, ``gate_indices``, and the pure-function form ``linear_apply``;
- exchangeable layers and models (Hartford et al. 2018): ``ExchangeableLinear``,
  ``SelfSupervisedExchangeable``, ``FactorizedExchangeable``, pure form ``exchangeable_linear``;
- sets: ``DeepSets``, ``SetLinear``, ``SetPool``; recurrent set models ``RecurrentSetModel``
  with the ``sire_regularizer`` / ``sub_regularizer`` penalties.

Helpers (pooling, dropout, rating encodings, SIRE internals) stay in their modules.
"""
from .emlp import EMLP, MLP, EMLPBlock, binomial_allocation, uniform_rep
from .exchangeable import ExchangeableLinear, FactorizedExchangeable, SelfSupervisedExchangeable, exchangeable_linear
from .layers import BiLinear, GatedNonlinearity, Linear, gate_indices, gated, linear_apply
from .recurrent import RecurrentSetModel
from .sets import DeepSets, SetLinear, SetPool
from .sire import sire_regularizer, sub_regularizer

__all__ = [
    # equivariant MLPs
    "Linear", "BiLinear", "GatedNonlinearity", "EMLP", "EMLPBlock", "MLP", "uniform_rep", "binomial_allocation",
    "gated", "gate_indices", "linear_apply",
    # exchangeable layers and models
    "ExchangeableLinear", "SelfSupervisedExchangeable", "FactorizedExchangeable", "exchangeable_linear",
    # sets and recurrent set models
    "DeepSets", "SetLinear", "SetPool", "RecurrentSetModel", "sire_regularizer", "sub_regularizer",
]
