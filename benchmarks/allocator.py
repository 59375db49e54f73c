"""Page faults per jitted call with glibc's defaults vs after ``keep_freed_memory()``.

Each mode runs in a fresh process (the setting is process-wide); prints the median minor page
faults of one call of a jitted function with a 48 MiB output, and the ratio untuned / tuned.
Depends on machine load (an occasional call grows the heap under load), which is why it is a
benchmark and not a test. Usage: ``.venv/bin/python benchmarks/allocator.py``.
"""

import subprocess
import sys

SCRIPT = r"""
import resource, sys
if sys.argv[1] == "tune":
    from eqsolve.allocator import keep_freed_memory
    keep_freed_memory()
import jax, jax.numpy as jnp
x = jax.random.normal(jax.random.PRNGKey(0), (12, 64, 128, 128))  # 48 MiB
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


def faults_per_call(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "JAX_PLATFORMS": "cpu", "PYTHONPATH": ":".join(sys.path)},
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    untuned, tuned = faults_per_call("none"), faults_per_call("tune")
    print(f"median page faults per call: glibc defaults {untuned:.0f}, keep_freed_memory {tuned:.0f}")
    print(f"ratio defaults / tuned: {untuned / max(tuned, 1):.1f}x (one 48 MiB buffer = {48 * 256} pages)")


if __name__ == "__main__":
    main()
