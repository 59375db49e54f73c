"""Memory guard: refuse to allocate dense arrays the machine cannot hold, and say how big."""

from __future__ import annotations

import os


class TooLargeError(ValueError):
    """A dense array was requested that would not fit in memory."""


def available_bytes() -> int:
    """Memory available to this process (MemAvailable from /proc/meminfo, else physical)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(nbytes) < 1024 or unit == "EiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} EiB"


def check_fits(nbytes: int, what: str, hint: str = "", fraction: float = 0.5) -> None:
    """Raise :class:`TooLargeError` if ``nbytes`` exceeds ``fraction`` of available memory."""
    limit = int(available_bytes() * fraction)
    if nbytes > limit:
        msg = f"{what} would need {human(nbytes)} but only {human(limit)} may be used on this machine"
        raise TooLargeError(msg + (f"; {hint}" if hint else ""))
