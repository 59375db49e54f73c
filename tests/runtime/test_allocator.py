"""keep_freed_memory: after it, repeated jitted calls with large buffers stop page-faulting
their buffers in again (run in fresh processes: the setting is process-wide)."""
import platform
import subprocess
import sys

import pytest

SCRIPT = r"""
import resource, sys
if sys.argv[1] == "tune":
    from eqsolve.allocator import keep_freed_memory
    assert keep_freed_memory() is True
    assert keep_freed_memory() is True  # idempotent
import jax, jax.numpy as jnp
x = jax.random.normal(jax.random.PRNGKey(0), (12, 64, 128, 128))  # 48 MiB, above glibc's largest mmap threshold
f = jax.jit(lambda x: x * 2 + x.sum(2, keepdims=True))
for _ in range(3):
    jax.block_until_ready(f(x))
per_call = []
for _ in range(15):
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    jax.block_until_ready(f(x))
    per_call.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0)
print(sorted(per_call)[len(per_call) // 2])
"""

glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _faults_per_call(mode):
    """Median page faults of one call, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=300,
                         env={"PATH": "", "JAX_PLATFORMS": "cpu", "PYTHONPATH": ":".join(sys.path)})
    assert out.returncode == 0, out.stderr
    return float(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not glibc, reason="mallopt settings are glibc-only")
def test_keep_freed_memory_stops_page_faults():
    pages = 48 * 2 ** 20 // 4096  # one output buffer
    untuned, tuned = _faults_per_call("none"), _faults_per_call("tune")
    assert untuned > pages / 2, untuned  # glibc's defaults map the buffer afresh every call
    # the median call: 0 faults (under CPU load an occasional call still grows the heap by a
    # buffer, when the previous result is freed late; the heap keeps it for reuse)
    assert tuned < pages / 10, tuned


def test_other_platforms_are_left_alone(monkeypatch):
    import eqsolve.allocator as allocator
    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setattr(allocator.platform, "system", lambda: "Darwin")
    assert allocator.keep_freed_memory() is False
    monkeypatch.setattr(allocator, "_applied", None)
