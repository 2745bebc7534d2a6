"""How long one step of the as-of slider takes in a real browser (headless Chromium).

Starts the dashboard on the store GOVPLAT_HOME names, opens the Network page at a date with a
view of up to --cap nodes, and presses the slider's "Next" button --steps times. Each step is
timed in the browser from the click until the redrawn network reports it is drawn (a new page
in the frame, window.gpReady), and on the Overview until Streamlit has finished the run (the
counts "held on" the new date). Median and worst step are printed.

    GOVPLAT_HOME=/tmp/full python benchmarks/dashboard_slider.py [--as-of 2017-01] [--cap 5000] [--steps 5]

Target (issue 12): a slider step on a 5,000-node view within 300 ms in the browser.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dashboard.conftest import chrome, dashboard_server  # noqa: E402

TARGET_MS = 300

CLICK_NEXT = """
var b = Array.from(document.querySelectorAll('button')).filter(function (b) { return b.innerText.trim().endsWith('Next'); })[0];
var f = document.querySelector('iframe');
if (f && f.contentWindow) { f.contentWindow.gpOld = true; }
window.gpClickAt = performance.timeOrigin + performance.now();
b.click();"""

NETWORK_DONE = """
var f = document.querySelector('iframe'), w = f && f.contentWindow;
if (!w || w.gpOld || !w.gpReady) { return null; }
return w.performance.timeOrigin + w.gpDrawnMs - window.gpClickAt;"""

RUN_DONE = """
if (document.querySelector('[data-testid=stStatusWidget]')) { window.gpBusySeen = true; return null; }
return window.gpBusySeen ? performance.timeOrigin + performance.now() - window.gpClickAt : null;"""


def _wait(driver, script: str, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value is not None:
            return float(value)
        time.sleep(0.01)
    return None


def _settle(driver, timeout: float = 600) -> None:
    deadline, calm = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and calm < 4:
        time.sleep(0.25)
        busy = driver.execute_script("return !!document.querySelector('[data-testid=stStatusWidget]')")
        calm = 0 if busy else calm + 1


def _steps(driver, url: str, done: str, steps: int, timeout: float) -> list[float]:
    driver.get(url)
    _settle(driver)
    if done is NETWORK_DONE:
        _wait(driver, "var f = document.querySelector('iframe'); return f && f.contentWindow.gpReady ? 1 : null;", timeout)
    out = []
    for _ in range(steps):
        driver.execute_script("window.gpBusySeen = false;" + CLICK_NEXT)
        ms = _wait(driver, done, timeout)
        if ms is None:
            raise SystemExit(f"a step did not finish within {timeout:.0f} s")
        out.append(ms)
        _settle(driver)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--as-of", default="2017-01", help="the month to start from (YYYY-MM)")
    ap.add_argument("--cap", type=int, default=5000, help="most nodes the Network view draws")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    home = Path(os.environ.get("GOVPLAT_HOME", Path.home() / ".govplat"))
    print(f"store: {home}; machine load average {os.getloadavg()[0]:.1f}")
    with dashboard_server(home) as base:
        driver = chrome(1400, 1200)
        driver.set_page_load_timeout(args.timeout)
        try:
            for name, url, done in (
                    ("network", f"{base}/network?as_of={args.as_of}&cap={args.cap}", NETWORK_DONE),
                    ("overview", f"{base}/?as_of={args.as_of}", RUN_DONE)):
                ms = _steps(driver, url, done, args.steps, args.timeout)
                shown = driver.execute_script(
                    "var m = document.body.innerText.match(/Showing ([\\d,]+) entities/); return m ? m[1] : '';")
                print(f"{name:9s} slider step: median {statistics.median(ms):7.0f} ms, worst {max(ms):7.0f} ms "
                      f"over {len(ms)} steps" + (f" ({shown} entities drawn)" if shown else "")
                      + f"; target {TARGET_MS} ms: {'met' if statistics.median(ms) <= TARGET_MS else 'NOT met'}",
                      flush=True)
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
