"""Fixtures for the dashboard tests: stores (empty, bundled, synthetic, hostile), a running
dashboard server and a headless Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import prerequisite_missing, require_module, run_cli

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

# A case file whose names are attacks: shown as text, they must never run.
XSS_NAME_IMG = "<img src=x onerror=window.__xss=1>"
XSS_NAME_SCRIPT = "<script>window.__xss=1</script>"
XSS_CASE = f"""
conflict:
  id: xss-test-conflict
  name: "{XSS_NAME_SCRIPT} conflict"
  description: "A test conflict whose texts try to run script: {XSS_NAME_IMG} [link](javascript:alert(1))"
  startDate: 2020-01-01
  status: ongoing
  statusAsOf: 2020-01-02
  outcome: "</script><script>window.__xss=1</script>"
  countries: [US]
  involves:
    - {{id: xss-img, role: "<b onmouseover=window.__xss=1>platform</b>"}}
    - {{id: xss-script, role: government}}
  sources: [xss-source-a, xss-source-b]
sources:
  - id: xss-source-a
    kind: news
    publisher: "<img src=x onerror=window.__xss=1>"
    title: "<script>window.__xss=1</script> title"
    url: "https://example.org/a?<script>"
    publishedDate: 2020-01-01
    retrievedDate: 2020-01-02
  - id: xss-source-b
    kind: news
    publisher: Example
    title: "javascript link"
    url: "https://example.org/b"
    publishedDate: 2020-01-01
    retrievedDate: 2020-01-02
entities:
  - id: xss-img
    class: Platform
    name: "{XSS_NAME_IMG}"
    aliases: ["xss-img-alias"]
    description: "{XSS_NAME_IMG} and {XSS_NAME_SCRIPT}"
    sources: [xss-source-a]
  - id: xss-script
    class: Agency
    name: "{XSS_NAME_SCRIPT}"
    description: "'\\"><svg onload=window.__xss=1>"
    sources: [xss-source-a, xss-source-b]
  - id: xss-demand
    class: RemovalRequest
    name: "{XSS_NAME_IMG} demand"
    date: 2020-01-02
    sources: [xss-source-a]
relations:
  - [xss-demand, MADE_BY, xss-script]
  - [xss-demand, ADDRESSED_TO, xss-img]
"""


def ingest(home: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("ingest", *args, env={"GOVPLAT_HOME": str(home), "GOVPLAT_STORE": "embedded"})


@pytest.fixture(scope="session")
def empty_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("empty")


@pytest.fixture(scope="session")
def xss_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("xss")
    case_dir = home / "cases"
    case_dir.mkdir()
    (case_dir / "xss-test.yaml").write_text(XSS_CASE, encoding="utf-8")
    proc = ingest(home, "cases", str(case_dir))
    assert "rejected 0" in proc.stdout, proc.stdout + proc.stderr
    return home


@pytest.fixture(scope="session")
def synthetic_home(tmp_path_factory) -> Path:
    """A store with a synthetic graph of 10,000+ entities and 30,000 relations."""
    from graph import synthetic
    from graph.stores.embedded import EmbeddedStore

    home = tmp_path_factory.mktemp("synthetic")
    entities, relations = synthetic.records(10_050, 30_000, seed=3)
    with EmbeddedStore(home / "graph.lbdb") as store:  # where settings().embedded_path puts it
        store.upsert(entities, relations)
    return home


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(home: Path):
    """``streamlit run dashboard/app.py`` on a free loopback port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "GOVPLAT_HOME": str(home), "GOVPLAT_STORE": "embedded"}
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"dashboard did not start:\n{log.read()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        os.unlink(log.name)


def chrome(width: int = 1400, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={tempfile.mkdtemp(prefix='govplat-chrome-')}",
                f"--window-size={width},{height}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)


WINDOW = (1400, 1800)  # every browser test starts with this window, whatever ran before it


@pytest.fixture(scope="module")
def chrome_driver():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        prerequisite_missing("Debian's chromium and chromium-driver are not installed")
    require_module("selenium")
    driver = chrome(*WINDOW)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chrome_driver):
    """The module's browser, reset for this test: a blank page in the top frame, the standard
    window size, no cookies — so no test depends on what another left behind."""
    chrome_driver.switch_to.default_content()
    chrome_driver.get("about:blank")
    chrome_driver.delete_all_cookies()
    chrome_driver.set_window_size(*WINDOW)
    return chrome_driver
