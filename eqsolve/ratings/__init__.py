"""The ratings application: exchangeable matrix completion (Hartford et al. 2018) on ratings data.

Built on the generic library (``eqsolve.nn.exchangeable`` holds the models), kept apart from it:

* ``eqsolve.ratings.data``: the ``Ratings`` container, MovieLens / triples loaders, the
  checksummed download helper, sub-matrix samplers, synthetic ratings.
* ``eqsolve.ratings.train``: configuration, model factory, jitted steps, prediction, the
  resumable training loop, checkpoints, learning-curve plots.
* ``eqsolve.ratings.commands``: the ``eqsolve train`` / ``evaluate`` / ``demo`` commands.
"""

__all__: list[str] = []  # import the subpackages
