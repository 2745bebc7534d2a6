"""How long one step of the as-of slider takes in a real browser (headless Chromium).

Starts the dashboard on the store GOVPLAT_HOME names and times, in the same run:

* the Network page's time slider, which lives inside the drawing: the page opens at a date
  with a view of up to --cap nodes, and each step moves the slider one month on (an ``input``
  event, as a drag does); a step is timed in the browser from the event until vis-network has
  drawn the frame with the nodes and relationships that do not hold hidden. No rerun.
* the Overview's Streamlit slider: each step presses "Next" and is timed until Streamlit has
  finished the run (the counts "held on" the new date).

Median and worst step of each, their ratio and the machine's load average are printed. (Before
the slider moved into the drawing, a Network step was a Streamlit rerun that redrew the view:
median 7.75 s on a 5,000-node view.)

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

FRAME_READY = "var f = document.querySelector('iframe'); return f && f.contentWindow.gpReady ? 1 : null;"

# In the drawing's frame: switch the time slider on (at --as-of), then steps of one month.
CANVAS_START = """
var r = document.getElementById('gp-asof');
if (!document.getElementById('gp-asof-on').checked) { document.getElementById('gp-asof-on').click(); }
return [window.gpNetwork.body.data.nodes.length, window.gp.asOf()];"""

CANVAS_STEP = """
var r = document.getElementById('gp-asof'), net = window.gpNetwork;
window.gpStepMs = null;
var t0 = performance.now();
net.once('afterDrawing', function () { window.gpStepMs = performance.now() - t0; });
r.value = Math.min(+r.max, +r.value + 1);
r.dispatchEvent(new Event('input'));
net.body.emitter.emit('_requestRedraw');  // a step that changes nothing is still drawn once
"""

CANVAS_DONE = "return window.gpStepMs;"

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


def _streamlit_steps(driver, url: str, steps: int, timeout: float) -> list[float]:
    driver.get(url)
    _settle(driver)
    out = []
    for _ in range(steps):
        driver.execute_script("window.gpBusySeen = false;" + CLICK_NEXT)
        ms = _wait(driver, RUN_DONE, timeout)
        if ms is None:
            raise SystemExit(f"a step did not finish within {timeout:.0f} s")
        out.append(ms)
        _settle(driver)
    return out


def _canvas_steps(driver, url: str, steps: int, timeout: float) -> tuple[list[float], int, str]:
    from selenium.webdriver.common.by import By

    driver.get(url)
    _settle(driver)
    if _wait(driver, FRAME_READY, timeout) is None:
        raise SystemExit(f"the network was not drawn within {timeout:.0f} s")
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe"))
    try:
        drawn, month = driver.execute_script(CANVAS_START)
        out = []
        for _ in range(steps):
            driver.execute_script(CANVAS_STEP)
            ms = _wait(driver, CANVAS_DONE, timeout)
            if ms is None:
                raise SystemExit(f"a step did not finish within {timeout:.0f} s")
            out.append(ms)
        count = driver.find_element(By.ID, "gp-asof-count").text
    finally:
        driver.switch_to.default_content()
    return out, drawn, f"from {month}; last: {count}"


def _line(name: str, ms: list[float], extra: str = "") -> str:
    med = statistics.median(ms)
    return (f"{name:9s} slider step: median {med:7.0f} ms, worst {max(ms):7.0f} ms over {len(ms)} steps{extra}; "
            f"target {TARGET_MS} ms: {'met' if med <= TARGET_MS else 'NOT met'}")


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
            canvas, drawn, note = _canvas_steps(driver, f"{base}/network?as_of={args.as_of}&cap={args.cap}",
                                                args.steps, args.timeout)
            print(_line("network", canvas, f" in the drawing ({drawn:,} entities loaded; {note})"), flush=True)
            rerun = _streamlit_steps(driver, f"{base}/?as_of={args.as_of}", args.steps, args.timeout)
            print(_line("overview", rerun, " (Streamlit rerun)"), flush=True)
            print(f"a step in the drawing takes 1/{statistics.median(rerun) / statistics.median(canvas):.0f} of a "
                  f"Streamlit rerun step; load average now {os.getloadavg()[0]:.1f}", flush=True)
        finally:
            driver.quit()

if __name__ == "__main__":
    main()
