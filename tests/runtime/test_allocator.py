"""keep_freed_memory: the mechanism, asserted without timing or page-fault counts (those depend
on machine load; ``benchmarks/allocator.py`` measures them). In a fresh process (the setting is
process-wide), glibc's own accounting (``mallinfo2``) shows where a 64 MiB block comes from:
with the defaults it is mmap'd and unmapped on free; after ``keep_freed_memory()`` it is carved
from the heap, and the heap keeps it after free."""

import json
import platform
import subprocess
import sys

import pytest

SCRIPT = r"""
import ctypes, json, sys
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "tune":
    from eqsolve.allocator import keep_freed_memory
    assert keep_freed_memory() is True
    assert keep_freed_memory() is True  # idempotent
before = libc.mallinfo2()
block = libc.malloc(64 << 20)
during = libc.mallinfo2()
libc.free(block)
after = libc.mallinfo2()
print(json.dumps({"mmapped_during": during.hblkhd - before.hblkhd,
                  "heap_during": during.arena - before.arena,
                  "heap_after_free": after.arena - before.arena}))
"""

glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
BLOCK = 64 << 20


def _allocation(mode):
    """Where one 64 MiB malloc came from, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "PYTHONPATH": ":".join(sys.path)},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_mallinfo2():
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return False
    return True


@pytest.mark.skipif(not (glibc and _has_mallinfo2()), reason="mallopt/mallinfo2 are glibc (>= 2.33) only")
def test_keep_freed_memory_serves_large_blocks_from_the_heap_and_keeps_them():
    untuned, tuned = _allocation("none"), _allocation("tune")
    # glibc's defaults: a block this large is mmap'd (and unmapped on free: page-faulted anew)
    assert untuned["mmapped_during"] >= BLOCK, untuned
    # tuned: no mmap, the block comes from the heap, and the heap keeps it after free
    assert tuned["mmapped_during"] == 0, tuned
    assert tuned["heap_during"] >= BLOCK, tuned
    assert tuned["heap_after_free"] >= BLOCK, tuned


def test_settings_passed_to_mallopt(monkeypatch):
    import eqsolve.allocator as allocator

    calls = []

    class FakeMallopt:
        argtypes = restype = None

        def __call__(self, param, value):
            calls.append((param, value))
            return 1

    class FakeLibc:
        mallopt = FakeMallopt()

    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setattr(allocator.platform, "system", lambda: "Linux")
    monkeypatch.setattr(allocator.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda name: FakeLibc())
    assert allocator.keep_freed_memory(top_pad=12345) is True
    assert dict(calls) == {
        allocator.M_ARENA_MAX: 1,
        allocator.M_MMAP_MAX: 0,
        allocator.M_TRIM_THRESHOLD: 2**31 - 1,
        allocator.M_TOP_PAD: 12345,
    }
    monkeypatch.setattr(allocator, "_applied", None)


def test_other_platforms_are_left_alone(monkeypatch):
    import eqsolve.allocator as allocator

    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setattr(allocator.platform, "system", lambda: "Darwin")
    assert allocator.keep_freed_memory() is False
    monkeypatch.setattr(allocator, "_applied", None)
