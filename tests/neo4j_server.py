"""A real Neo4j for tests: use the one given, reuse a running one, or start one.

Plain Python (no pytest import), for a fixture in a conftest or for scripts::

    from neo4j_server import ensure_neo4j, Neo4jUnavailable

    try:
        info = ensure_neo4j()   # {'uri': 'bolt://127.0.0.1:7687', 'user': 'neo4j',
    except Neo4jUnavailable as e:  #  'password': '...', 'started': True}
        pytest.skip(str(e))

Order of preference:

1. ``NEO4J_URI`` is set: use it, with ``NEO4J_USER`` (default ``neo4j``) and
   ``NEO4J_PASSWORD`` (default ``govplat-test-pw``). Nothing is started or stopped.
2. ``tools/neo4j/server`` already runs an instance (run dir ``GOVPLAT_NEO4J_RUN``,
   default ``tools/neo4j/run``): reuse it, password from its run dir; it is left running.
3. A JDK and Maven are available (Maven is not needed once the launcher is built):
   ``tools/neo4j/server start``, and stop that instance when this process exits.
4. Otherwise raise :class:`Neo4jUnavailable`, whose message says how to enable the tests.

A start that was possible but failed raises :class:`Neo4jStartError` (not a skip: the
tests should fail loudly, with the server's log tail in the message).

Under pytest-xdist every worker is its own process: start the server once beforehand
(``tools/neo4j/server start``, or set ``NEO4J_URI``) so that no worker stops it while
others still use it. Concurrent starts are serialised by the script (one instance per
run dir), so a race is safe, but the worker that won it stops the server when it exits.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import threading
from pathlib import Path

__all__ = ["ensure_neo4j", "stop_started", "Neo4jUnavailable", "Neo4jStartError",
           "DEFAULT_PASSWORD", "SERVER_SCRIPT"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = REPO_ROOT / "tools" / "neo4j" / "server"
DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "govplat-test-pw"  # same default as tools/neo4j/server
# First start downloads Neo4j from Maven Central; the script's own readiness timeout is
# GOVPLAT_NEO4J_TIMEOUT (180 s) after the build. This only guards against a hang.
START_TIMEOUT_S = 1800

HOW_TO_ENABLE = (
    "To run the Neo4j tests, either install a JDK 17 and Maven "
    "(Debian: apt-get install openjdk-17-jdk-headless maven) so that "
    "tools/neo4j/server can start Neo4j from Maven Central, or point the tests at a "
    "running Neo4j 5 with NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD."
)


class Neo4jUnavailable(RuntimeError):
    """No Neo4j given and none can be started here (no JDK or no Maven)."""


class Neo4jStartError(RuntimeError):
    """tools/neo4j/server could have started Neo4j but failed."""


_lock = threading.Lock()
_info: dict | None = None
_started_env: dict | None = None  # env used to start the instance we must stop


def _run_dir() -> Path:
    env = os.environ.get("GOVPLAT_NEO4J_RUN")
    return Path(env).resolve() if env else SERVER_SCRIPT.parent / "run"


def _script_env() -> dict:
    env = dict(os.environ)
    env["GOVPLAT_NEO4J_RUN"] = str(_run_dir())  # absolute: same dir whatever the cwd
    return env


def _find_java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    for cand in sorted(glob.glob("/usr/lib/jvm/*/bin/java")):
        if os.access(cand, os.X_OK):
            return cand
    return shutil.which("java")


def _launcher_built() -> bool:
    target = SERVER_SCRIPT.parent / "target"
    cp = target / "classpath.txt"
    if not (target / "classes" / "govplat" / "Neo4jLauncher.class").is_file() or not cp.is_file():
        return False
    jars = [j for j in cp.read_text().strip().split(os.pathsep) if j]
    return all(os.path.isfile(j) for j in jars)


def _read_password(run_dir: Path) -> str:
    try:
        return (run_dir / "password").read_text().strip() or DEFAULT_PASSWORD
    except OSError:
        return os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD


def _running_uri(env: dict) -> str | None:
    if not os.access(SERVER_SCRIPT, os.X_OK):
        return None
    r = subprocess.run([str(SERVER_SCRIPT), "uri"], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    uri = r.stdout.strip()
    return uri if r.returncode == 0 and uri.startswith("bolt://") else None


def ensure_neo4j() -> dict:
    """Return ``dict(uri=..., user=..., password=..., started=bool)`` for a usable Neo4j.

    ``started`` is True only when this call (or an earlier one in this process) started
    the server; it is then stopped at interpreter exit (or by :func:`stop_started`).
    """
    global _info, _started_env
    with _lock:
        if _info is not None:
            return dict(_info)

        uri = os.environ.get("NEO4J_URI")
        if uri:
            _info = dict(uri=uri, user=os.environ.get("NEO4J_USER") or DEFAULT_USER,
                         password=os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD,
                         started=False)
            return dict(_info)

        env = _script_env()
        run_dir = _run_dir()
        uri = _running_uri(env)
        if uri:
            _info = dict(uri=uri, user=DEFAULT_USER, password=_read_password(run_dir),
                         started=False)
            return dict(_info)

        missing = []
        if not os.access(SERVER_SCRIPT, os.X_OK):
            missing.append(f"{SERVER_SCRIPT} (not found or not executable)")
        if _find_java() is None:
            missing.append("a JDK (java)")
        if shutil.which("mvn") is None and not _launcher_built():
            missing.append("Maven (mvn)")
        if missing:
            raise Neo4jUnavailable(
                "Neo4j is not available: NEO4J_URI is unset, no tools/neo4j/server instance "
                "is running, and this machine lacks " + ", ".join(missing) + ". " + HOW_TO_ENABLE)

        try:
            r = subprocess.run([str(SERVER_SCRIPT), "start"], env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            subprocess.run([str(SERVER_SCRIPT), "stop"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120)
            raise Neo4jStartError(f"tools/neo4j/server start hung for {e.timeout} s") from e
        lines = [ln for ln in r.stdout.splitlines() if ln.startswith("bolt://")]
        if r.returncode != 0 or not lines:
            raise Neo4jStartError(
                f"tools/neo4j/server start failed (exit {r.returncode}):\n"
                f"{r.stderr[-4000:]}{r.stdout[-1000:]}")
        # The script says so on stderr when another process started it meanwhile.
        started = "already running" not in r.stderr
        _info = dict(uri=lines[-1], user=DEFAULT_USER, password=_read_password(run_dir),
                     started=started)
        if started:
            _started_env = env
            atexit.register(stop_started)
        return dict(_info)


def stop_started() -> None:
    """Stop the server if this process started it (registered with atexit)."""
    global _info, _started_env
    with _lock:
        env, _started_env = _started_env, None
        if env is None:
            return
        _info = None
        try:
            subprocess.run([str(SERVER_SCRIPT), "stop"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass


if __name__ == "__main__":  # python tests/neo4j_server.py: start (or find) and print
    print(ensure_neo4j())
