"""One training run per workdir: an exclusive ``fcntl`` lock on ``workdir/.lock``.

The lock is held by the open file, so the kernel releases it when the process ends in any way
(kill -9 included): there are no stale locks to clean up. A second run on the same workdir is
refused at once with the first run's pid and start time, instead of both writing checkpoints
and the last writer winning.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

__all__ = ["WorkdirLock", "LOCK_NAME"]

LOCK_NAME = ".lock"


class WorkdirLock:
    """Context manager: ``with WorkdirLock(workdir): ...`` (ValueError if another run holds it)."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.path = self.workdir / LOCK_NAME
        self._fh = None

    def acquire(self) -> "WorkdirLock":
        self.workdir.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            try:
                holder = json.loads(fh.read() or "{}")
            except json.JSONDecodeError:
                holder = {}
            fh.close()
            who = f" (pid {holder['pid']}, started {holder['started']})" if "pid" in holder else ""
            raise ValueError(
                f"workdir {self.workdir} is in use by another eqsolve train run{who}; wait for it to "
                f"finish or use another --workdir"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
