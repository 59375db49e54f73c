"""The ``eqsolve`` sub-commands, one module each (see :mod:`eqsolve.cli`)."""

__all__: list[str] = []
