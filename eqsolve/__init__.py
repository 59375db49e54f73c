"""eqsolve: turn a symmetry into a neural-network layer.

Layers (imports point down only): groups -> reps -> solve -> verify (numpy/scipy only);
runtime -> nn (JAX, Flax NNX) on top; applications (ratings, relational) and the CLI at the
edge. Import the subpackages: ``from eqsolve import groups, reps, verify, nn``.
"""

__version__ = "0.1.0"
__all__: list[str] = []  # nothing at the top level: the subpackages are the API
