"""Run govplat in a child process whose memory is watched: killed (and the test failed) as
soon as its resident set passes a limit, so a regression cannot take the machine's memory."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

from tests.conftest import GOVPLAT, ROOT


@dataclass
class Bounded:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):  # peak resident set size
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_bounded(*args: str, env: dict | None = None, rss_limit_mb: float = 1000, timeout: float = 120) -> Bounded:
    """``govplat *args``; AssertionError when it passes ``rss_limit_mb`` of memory or ``timeout`` seconds."""
    return run_watched([*GOVPLAT, *args], env=env, rss_limit_mb=rss_limit_mb, timeout=timeout)


def run_watched(cmd: list[str], *, env: dict | None = None, rss_limit_mb: float = 1000,
                timeout: float = 120) -> Bounded:
    """``cmd`` (run in the project folder), killed when it passes the memory or time limit."""
    args = cmd
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, start = 0.0, time.monotonic()
    out: dict = {}
    reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate())))
    reader.start()
    while reader.is_alive():
        peak = max(peak, _rss_mb(proc.pid))
        if peak > rss_limit_mb or time.monotonic() - start > timeout:
            proc.kill()
            reader.join()
            raise AssertionError(f"govplat {' '.join(args)[:200]} passed {rss_limit_mb} MB or {timeout} s "
                                 f"(peak {peak:.0f} MB); killed")
        time.sleep(0.02)
    reader.join()
    return Bounded(proc.returncode, out["stdout"], out["stderr"], peak)
