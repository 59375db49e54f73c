"""eqsolve: turn a symmetry into a neural-network layer.

Layers (imports point down only): groups -> reps -> solve -> verify (numpy/scipy only);
runtime -> nn (JAX, Flax NNX) on top; data and cli at the edge.
"""
__version__ = "0.1.0"
