"""The ratings commands: ``eqsolve train`` / ``evaluate`` / ``demo``."""

__all__: list[str] = []
