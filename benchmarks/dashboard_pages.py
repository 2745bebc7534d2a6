"""How long a first visit to Overview, Analytics and Network takes on an ingested store.

Each page is run in-process with Streamlit's AppTest (once untimed, so that modules are
imported as in a running dashboard), then timed with every Streamlit cache cleared first (a
first visit), twice in the same process:
* ours: the results ``govplat ingest`` left on disk for the store's data version
  (graph/derived.py, under GOVPLAT_HOME/cache/derived/) are read;
* baseline: the same page with that folder hidden (an empty temporary one instead), so it
  projects the whole store into networkx and computes everything, as before the cache.
Point GOVPLAT_HOME at a store ingested with `govplat ingest` (e.g. the full ../shared/data:
`GOVPLAT_HOME=/tmp/full govplat ingest --detect ../shared/data`).

    GOVPLAT_HOME=/tmp/full python benchmarks/dashboard_pages.py [--pages overview analytics network] [--no-baseline]

For Network, "ours" is timed twice: right after an ingest (the default view's compact part
read from disk, the drawing made and saved) and on a later first visit, e.g. after a restart
(the saved drawing read back).

Targets (issue 12): Overview first visit under 3 s, Analytics first load under 5 s, Network
a few seconds.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
TARGETS = {"overview": 3.0, "analytics": 5.0, "network": 5.0}


def _visit(page: str, timeout: float) -> float:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.switch_page(f"app_pages/{page}.py")
    start = time.perf_counter()
    at.run()
    took = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"{page}: {[e.value for e in at.exception]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", nargs="+", default=["overview", "analytics", "network"])
    ap.add_argument("--no-baseline", action="store_true", help="Only time the pages with the saved results.")
    ap.add_argument("--timeout", type=float, default=1800, help="Seconds a page may take.")
    args = ap.parse_args()

    from graph import derived
    from graph.settings import settings
    from graph.stores.embedded import read_version

    cfg = settings()
    version = read_version(cfg.embedded_path)
    saved = version and any(derived.load(version, n, **a) is not derived.MISSING
                            for n, a in derived.DEFAULTS if not callable(a))
    print(f"store: {cfg.embedded_path} (data version {version}); results on disk: {'yes' if saved else 'NO'}")
    if not saved:
        print("  run `govplat ingest` (any source) to compute them; the figures below are then cold")
    print(f"machine load average: {os.getloadavg()[0]:.1f}")
    real_dir = derived.cache_dir
    for page in args.pages:
        _visit(page, args.timeout)  # untimed: a running dashboard has imported its modules already
        line = ""
        if page == "network" and version:
            for drawing in derived._slot(version).glob("view_html-*"):
                drawing.unlink()  # as right after an ingest: the drawing is made on the first visit
            line = f"{page:10s} first visit after ingest: {_visit(page, args.timeout):7.2f} s; later "
        ours = _visit(page, args.timeout)
        line = (line or f"{page:10s} ") + f"first visit: {ours:7.2f} s"
        if page in TARGETS:
            line += f" (target {TARGETS[page]:.0f} s: {'met' if ours <= TARGETS[page] else 'NOT met'})"
        if not args.no_baseline:
            with tempfile.TemporaryDirectory() as empty:
                derived.cache_dir = lambda empty=empty: Path(empty)
                try:
                    base = _visit(page, args.timeout)
                finally:
                    derived.cache_dir = real_dir
            line += f"; baseline (nothing saved) {base:7.2f} s; {base / ours:5.1f}x faster"
        print(line, flush=True)


if __name__ == "__main__":
    main()
