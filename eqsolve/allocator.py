"""Keep freed memory in the process, so that JAX on CPU does not page-fault its buffers in again.

XLA:CPU allocates every call's buffers with malloc. glibc serves large blocks, and blocks
requested by threads with their own arena, from fresh ``mmap``'d pages and unmaps them on
free, so each call of a jitted step whose buffers are tens of MB has the kernel zero and map
all of them again: measured on the exchangeable layer at N=M=128, C=64, batch 8 followed by a
ReLU (forward + backward), 64 ms per call with glibc's defaults and 22 ms with the settings
below (19 000 page faults per call down to ~0 on an idle machine).

:func:`keep_freed_memory` sets, through ``mallopt``: one arena (``M_ARENA_MAX=1``), no mmap for
large blocks (``M_MMAP_MAX=0``), no trimming of the heap's top (``M_TRIM_THRESHOLD``) and a
large top pad (``M_TOP_PAD``). The cost: memory freed by the process stays reserved by it
(its resident size stays at its peak). It is a process-wide setting, so the library never
applies it on import; the ``eqsolve`` command line and the benchmarks do, first thing. The same
settings as environment variables (for any program): ``MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0
MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=536870912``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# glibc <malloc.h>
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_MAX = -4
M_ARENA_MAX = -8

_applied: bool | None = None


def keep_freed_memory(top_pad: int = 2**29) -> bool:
    """Apply the settings above (glibc only; elsewhere nothing happens). Call it before JAX
    starts computing: threads that already have their own arena keep it. Returns whether the
    settings are in force (False on other C libraries, or if glibc refused one); the first
    call decides, later calls return its result."""
    global _applied
    if top_pad < 0:
        raise ValueError(f"top_pad must be a number of bytes >= 0, got {top_pad}")
    if _applied is not None:
        return _applied
    _applied = False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settings = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, int(top_pad)))
    _applied = all(mallopt(param, value) == 1 for param, value in settings)
    return _applied
