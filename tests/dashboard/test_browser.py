"""The dashboard in a real browser (Debian's headless Chromium): every page draws without a
Streamlit error, networks reach their drawn state, hostile names never run, and an ingest can
run while the dashboard is up. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from tests.dashboard.conftest import SCREENSHOTS, XSS_NAME_IMG, dashboard_server, ingest

pytestmark = pytest.mark.browser

PAGES = [("overview", ""), ("network", "network"), ("entity", "entity?id=alt-uscis"),
         ("conflict", "conflict?id=twitter-dhs-alt-uscis-2017"), ("paths", "paths?source=alt-uscis&target=us-dhs"),
         ("analytics", "analytics"), ("queries", "queries")]
NETWORK_PAGES = {"network", "entity", "conflict", "paths"}


def settle(driver, timeout: float = 90) -> None:
    """Wait until Streamlit has finished running the page (no status widget for 2 s)."""
    start, calm = time.monotonic(), 0
    while time.monotonic() - start < timeout:
        time.sleep(0.5)
        busy = driver.execute_script(
            "return !!document.querySelector('[data-testid=stStatusWidget]') "
            "|| !document.querySelector('[data-testid=stMain]')")
        calm = 0 if busy else calm + 1
        if calm >= 3:
            return
    raise AssertionError("the page kept running")


def network_frames(driver, expect: bool, timeout: float = 60) -> list:
    """Frames holding a network; waits until each reports it is drawn (window.gpReady)."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    frames = []
    while time.monotonic() < deadline:
        frames = driver.find_elements(By.CSS_SELECTOR, "iframe")
        if frames or not expect:
            break
        time.sleep(0.5)
    for frame in frames:
        driver.switch_to.frame(frame)
        try:
            while not driver.execute_script("return window.gpReady === true"):
                assert time.monotonic() < deadline, "network never drawn"
                time.sleep(0.3)
            assert driver.execute_script("return document.querySelectorAll('#gp-network canvas').length") == 1
        finally:
            driver.switch_to.default_content()
    return frames


@contextmanager
def reopened_canvas(driver):
    """Open the current URL afresh (as someone the link was shared with would) and work inside its
    network drawing."""
    shared = driver.current_url
    driver.get("about:blank")
    driver.get(shared)
    settle(driver)
    (frame,) = network_frames(driver, expect=True)
    driver.switch_to.frame(frame)
    try:
        yield
    finally:
        driver.switch_to.default_content()


def streamlit_errors(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=stException]')).map(e => e.innerText)")


@pytest.fixture(scope="module")
def bundled_url(bundled_home):
    with dashboard_server(bundled_home) as url:
        yield url


@pytest.fixture(scope="module")
def xss_url(xss_home):
    with dashboard_server(xss_home) as url:
        yield url


def test_every_page_in_a_browser(browser, bundled_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES:
        browser.get(f"{bundled_url}/{path}")
        settle(browser)
        frames = network_frames(browser, expect=name in NETWORK_PAGES)
        assert bool(frames) == (name in NETWORK_PAGES), name
        assert not streamlit_errors(browser), (name, streamlit_errors(browser))
        title = browser.execute_script("return document.querySelector('h1') && document.querySelector('h1').innerText")
        assert title, name
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_hover_card_and_pinned_card(browser, bundled_url):
    browser.get(f"{bundled_url}/entity?id=alt-uscis")  # a page with no network: reset state
    browser.get(f"{bundled_url}/conflict?id=twitter-dhs-alt-uscis-2017")
    settle(browser)
    (frame,) = network_frames(browser, expect=True)
    browser.switch_to.frame(frame)
    try:
        card = browser.execute_script("""
            var net = window.gpNetwork, id = 'twitter-dhs-alt-uscis-2017';
            var p = net.canvasToDOM(net.getPositions([id])[id]);
            net.selectNodes([id]);
            net.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: p}});
            return document.getElementById('gp-info').innerText;""")
        assert "Twitter v. DHS" in card and "Sources" in card
    finally:
        browser.switch_to.default_content()


def test_hostile_names_never_run(browser, xss_url):
    """Names like <img onerror=...> and <script> show as text on every page and in the network's
    hover cards; window.__xss stays undefined in the page and in every frame."""
    from selenium.webdriver.common.action_chains import ActionChains

    url = xss_url
    for path in ("", "network", "entity?id=xss-img", "entity?id=xss-script", "conflict?id=xss-test-conflict"):
        browser.get(f"{url}/{path}")
        settle(browser)
        frames = network_frames(browser, expect=path.startswith(("network", "conflict", "entity")))
        assert not streamlit_errors(browser), streamlit_errors(browser)
        for frame in frames:
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
            browser.switch_to.frame(frame)
            try:
                browser.execute_script("window.gpNetwork.fit({animation: false})")
                # Hover every node (the tooltip) and pin its card (click): both render the card.
                ids = [i for i in browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()")
                       if i.startswith("xss-") and "source" not in i]
                seen = []
                for node_id in ids:
                    browser.execute_script("""
                        var net = window.gpNetwork, id = arguments[0];
                        var p = net.canvasToDOM(net.getPositions([id])[id]);
                        net.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: p}});""", node_id)
                    seen.append(browser.execute_script("return document.getElementById('gp-info').innerText"))
                    pos = browser.execute_script("""
                        var net = window.gpNetwork, id = arguments[0];
                        return net.canvasToDOM(net.getPositions([id])[id]);""", node_id)
                    canvas = browser.find_element("css selector", "#gp-network canvas")
                    rect = canvas.rect
                    ActionChains(browser).move_to_element_with_offset(
                        canvas, int(pos["x"] - rect["width"] / 2), int(pos["y"] - rect["height"] / 2)).perform()
                    time.sleep(0.25)
                    seen.append(browser.execute_script(
                        "var t = document.querySelector('div.vis-tooltip'); return t ? t.innerText : ''"))
                    assert not browser.execute_script(
                        "return document.querySelectorAll('#gp-info img, #gp-info script, div.vis-tooltip img').length")
                assert any(XSS_NAME_IMG in text for text in seen)  # shown, as text
                assert browser.execute_script("return typeof window.__xss") == "undefined"
                assert not browser.execute_script("return document.querySelectorAll('#gp-info img, div.vis-tooltip img, script[src]').length")
            finally:
                browser.switch_to.default_content()
        assert browser.execute_script("return typeof window.__xss") == "undefined", path
        body = browser.execute_script("return document.body.innerText")
        if path.startswith("entity?id=xss-img"):
            assert XSS_NAME_IMG in body
        browser.save_screenshot(str(SCREENSHOTS / f"xss-{path.replace('?', '-').replace('=', '-') or 'overview'}.png"))


def test_ingest_while_the_dashboard_runs(browser, xss_home, xss_url, tmp_path):
    """The dashboard does not hold the embedded store: a CLI ingest succeeds while it is up,
    and the next page load shows the new data."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "later.yaml").write_text(
        "conflict:\n  id: later-conflict\n  name: Added while the dashboard runs\n  startDate: 2021-01-01\n"
        "  status: ongoing\n  statusAsOf: 2021-01-02\n  countries: [FR]\n  sources: [later-a, later-b]\n"
        "sources:\n  - {id: later-a, kind: news, publisher: P, title: A, url: 'https://example.org/1', "
        "publishedDate: 2021-01-01, retrievedDate: 2021-01-02}\n"
        "  - {id: later-b, kind: news, publisher: P, title: B, url: 'https://example.org/2', "
        "publishedDate: 2021-01-01, retrievedDate: 2021-01-02}\n", encoding="utf-8")
    url = xss_url
    browser.get(url)
    settle(browser)
    started = time.monotonic()
    proc = ingest(xss_home, "cases", str(tmp_path / "cases"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert time.monotonic() - started < 60
    browser.get(f"{url}/conflict?id=later-conflict")
    settle(browser)
    assert "Added while the dashboard runs" in browser.execute_script("return document.body.innerText")
    assert not streamlit_errors(browser)


def test_world_map_draws_without_the_network(browser, bundled_url):
    """The Statistics map is inline SVG: countries coloured, tooltips named, nothing fetched
    (the browser runs with background networking off and the page loads no outside URL)."""
    from selenium.webdriver.common.by import By

    browser.set_window_size(1400, 1800)
    browser.get(f"{bundled_url}/statistics?measure=conflicts&year=all")
    settle(browser)
    assert not streamlit_errors(browser)
    frame = next(f for f in browser.find_elements(By.TAG_NAME, "iframe")
                 if "country" in (f.get_attribute("srcdoc") or ""))
    browser.switch_to.frame(frame)
    try:
        drawn = browser.execute_script(
            "const us = document.querySelector('g.us path');"
            "return [document.querySelectorAll('g.country').length, getComputedStyle(us).fill,"
            " document.querySelector('g.us title').textContent,"
            " performance.getEntriesByType('resource').map(e => e.name)]")
    finally:
        browser.switch_to.default_content()
    countries, us_fill, us_title, fetched = drawn
    assert countries > 200
    assert us_fill != "rgb(230, 230, 230)"  # the United States have conflicts: not the no-data grey
    assert us_title.startswith("United States:") and "conflicts" in us_title
    assert [u for u in fetched if not u.startswith(bundled_url)] == []
    browser.save_screenshot(str(SCREENSHOTS / "statistics.png"))


def test_network_view_from_its_url_then_click_to_expand(browser, bundled_url):
    """A shared link restores the view (mode, start, depth); on the canvas a click pins a node's
    card, whose Expand button draws its next neighbours; a legend click hides a class; the PNG
    export is twice the canvas' size."""
    from selenium.webdriver.common.by import By

    browser.get(f"{bundled_url}/network?mode=around&id=alt-uscis&depth=1&cap=500")
    settle(browser)
    assert not streamlit_errors(browser)
    assert "Start from" in browser.execute_script("return document.body.innerText")  # the neighbourhood mode
    assert "id=alt-uscis" in browser.current_url  # "around" is the default with an id
    (frame,) = network_frames(browser, expect=True)
    browser.switch_to.frame(frame)
    try:
        ids = browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()")
        assert "alt-uscis" in ids
        before = len(ids)
        # A drawn node with neighbours not drawn yet; clicked as a user clicks it.
        target = browser.execute_script("""
            var net = window.gpNetwork, ids = net.body.data.nodes.getIds();
            var drawn = new Set(ids);
            var edges = net.body.data.edges;
            for (var i = 0; i < ids.length; i++) {
              var id = ids[i];
              if (id === 'alt-uscis') { continue; }
              net.selectNodes([id]);
              var p = net.canvasToDOM(net.getPositions([id])[id]);
              net.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: p}});
              if (document.querySelector('#gp-actions [data-gp=expand]')) { return id; }
            }
            return null;""")
        assert target, "no drawn node has neighbours left to expand"
        browser.find_element(By.CSS_SELECTOR, "#gp-actions [data-gp=expand]").click()
        after = browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()")
        new = set(after) - set(ids)
        assert 0 < len(new) <= 10 and len(after) == before + len(new)
        linked = browser.execute_script("""
            var t = arguments[0], out = [];
            window.gpNetwork.body.data.edges.get().forEach(function (e) {
              if (e.from === t) { out.push(e.to); } if (e.to === t) { out.push(e.from); } });
            return out;""", target)
        assert new <= set(linked)  # the new nodes are the clicked node's neighbours
        # The hover card never covers the pinned card: put it on top of it, as vis-network may.
        from selenium.webdriver.common.action_chains import ActionChains

        pos = browser.execute_script(
            "var n = window.gpNetwork; return n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);", target)
        canvas = browser.find_element(By.CSS_SELECTOR, "#gp-network canvas")
        ActionChains(browser).move_to_element_with_offset(
            canvas, int(pos["x"] - canvas.rect["width"] / 2), int(pos["y"] - canvas.rect["height"] / 2)).perform()
        time.sleep(0.5)
        overlap = browser.execute_script("""
            var tip = document.querySelector('div.vis-tooltip'), info = document.getElementById('gp-info');
            if (!tip) { return 'no tooltip'; }
            var c = info.getBoundingClientRect(), box = document.getElementById('gp-network').getBoundingClientRect();
            tip.style.visibility = 'visible';
            tip.style.left = (c.left - box.left + 5) + 'px'; tip.style.top = (c.top - box.top + 5) + 'px';
            window.gpNetwork.body.emitter.emit('showPopup', arguments[0]);
            var r = tip.getBoundingClientRect();
            return !(r.right <= c.left || r.left >= c.right || r.bottom <= c.top || r.top >= c.bottom);""", target)
        assert overlap is False, overlap
        # Colour by country: the drawn nodes change colour, the legend names the countries.
        colours = lambda: browser.execute_script(  # noqa: E731
            "return window.gpNetwork.body.data.nodes.get().map(function (n) { return n.color.background; })")
        by_class = colours()
        from selenium.webdriver.support.ui import Select

        Select(browser.find_element(By.ID, "gp-colour")).select_by_value("country")
        assert colours() != by_class and "Colour: country" in browser.find_element(By.ID, "gp-legend").text
        # Hide it, then bring it back with "Show all".
        browser.find_element(By.CSS_SELECTOR, "#gp-actions [data-gp=hide]").click()
        assert target not in browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()")
        browser.find_element(By.ID, "gp-reset").click()
        assert target in browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()")
        # The legend hides a class on click and shows it again.
        item = browser.find_element(By.CSS_SELECTOR, "#gp-legend [data-cls]")
        cls = item.get_attribute("data-cls")
        item.click()
        classes = browser.execute_script(
            "return window.gpNetwork.body.data.nodes.getIds().map(function (i) { return window.gp.cls(i); })")
        assert cls not in classes
        size = browser.execute_script("""
            var c = document.querySelector('#gp-network canvas');
            return [c.clientWidth, c.clientHeight];""")
        dims = browser.execute_async_script("""
            var done = arguments[arguments.length - 1], img = new Image();
            img.onload = function () { done([img.width, img.height]); }; img.src = window.gp.png();""")
        assert dims[0] == 2 * size[0] and dims[1] > 2 * size[1]  # title above, legend below
        assert browser.execute_script("return window.gp.svg()").startswith("<svg")
    finally:
        browser.switch_to.default_content()


def _url_params(driver) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(driver.current_url).query)


def _wait(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)
    return value


def test_canvas_actions_round_trip_through_the_url(browser, bundled_url):
    """Expand, hide, pin and colour-by on the canvas go into the page's URL; opening that URL
    draws the same canvas."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{bundled_url}/network?mode=around&id=alt-uscis&depth=1&cap=500")
    settle(browser)
    (frame,) = network_frames(browser, expect=True)
    browser.switch_to.frame(frame)
    try:
        target = browser.execute_script("""
            var ids = window.gpNetwork.body.data.nodes.getIds();
            for (var i = 0; i < ids.length; i++) { if (ids[i] !== 'alt-uscis' && window.gp.expand(ids[i]).length) { return ids[i]; } }
            return null;""")
        assert target
        Select(browser.find_element(By.ID, "gp-colour")).select_by_value("country")
        browser.execute_script("""
            var net = window.gpNetwork, id = 'alt-uscis', p = net.canvasToDOM(net.getPositions([id])[id]);
            net.selectNodes([id]); net.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: p}});""")
        browser.find_element(By.CSS_SELECTOR, "#gp-actions [data-gp=pin]").click()
        drawn = set(browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()"))
        gone = sorted(drawn - {"alt-uscis", target})[0]
        browser.execute_script("""
            var net = window.gpNetwork, id = arguments[0], p = net.canvasToDOM(net.getPositions([id])[id]);
            net.selectNodes([id]); net.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: p}});""", gone)
        browser.find_element(By.CSS_SELECTOR, "#gp-actions [data-gp=hide]").click()
        before = set(browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()"))
    finally:
        browser.switch_to.default_content()
    params = _wait(lambda: (p := _url_params(browser)).get("hidden") and p)
    assert params["expand"] == [target] and params["colour"] == ["country"] and params["pin"] == ["alt-uscis"]
    assert params["hidden"] == [gone] and params["id"] == ["alt-uscis"]  # the page's own state is kept too
    settle(browser)
    assert not streamlit_errors(browser)
    with reopened_canvas(browser):
        state = browser.execute_script("return window.gp.state()")
        after = set(browser.execute_script("return window.gpNetwork.body.data.nodes.getIds()"))
        assert state["expanded"] == [target] and state["colour"] == "country" and state["pinned"] == ["alt-uscis"]
        assert state["hidden"] == [gone] and after == before
        assert browser.find_element(By.ID, "gp-colour").get_attribute("value") == "country"


def test_play_steps_the_as_of_slider_and_the_url(browser, bundled_url):
    """Play advances the slider's month on its own and each step is in the URL; Pause stops it."""
    from selenium.webdriver.common.by import By

    browser.get(f"{bundled_url}/?as_of=2012-01")
    settle(browser)
    play = _wait(lambda: [b for b in browser.find_elements(By.CSS_SELECTOR, "button") if b.text.strip().endswith("Play")])
    play[0].click()
    months: set[str] = set()

    def two_steps() -> bool:
        months.update(_url_params(browser).get("as_of") or [])
        return len(months - {"2012-01"}) >= 2

    _wait(two_steps, 40)
    assert all(m >= "2012-01" for m in months), months
    pause = _wait(lambda: [b for b in browser.find_elements(By.CSS_SELECTOR, "button") if b.text.strip().endswith("Pause")])
    pause[0].click()
    settle(browser)
    stopped = _url_params(browser)["as_of"]
    time.sleep(4)
    assert _url_params(browser)["as_of"] == stopped
    assert "held on" in browser.execute_script("return document.body.innerText")
    assert not streamlit_errors(browser)


def test_canvas_time_slider_hides_in_place_and_round_trips_through_the_url(browser, bundled_url):
    """The time slider in the Network drawing: dragging hides what does not hold on the month
    without touching the URL (no rerun); on release the month is in the URL; opening that URL
    starts the drawing at the same month with the same entities shown."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    visible = "return window.gpNetwork.body.data.nodes.get({filter: function (n) { return !n.hidden; }}).length"
    browser.get(f"{bundled_url}/network?cap=5000")
    settle(browser)
    (frame,) = network_frames(browser, expect=True)
    browser.switch_to.frame(frame)
    try:
        total = browser.execute_script(visible)
        browser.find_element(By.ID, "gp-asof-on").click()  # on, at the last month: written to the URL
        last = browser.execute_script("return window.gp.asOf()")
    finally:
        browser.switch_to.default_content()
    _wait(lambda: _url_params(browser).get("as_of") == [last])
    settle(browser)
    browser.switch_to.frame(frame)
    try:
        # Dragging (input events only): nodes hide in place, the page's URL is left alone.
        browser.execute_script("var r = document.getElementById('gp-asof'); r.value = Math.floor(r.max / 2);"
                               "r.dispatchEvent(new Event('input'));")
        middle = browser.execute_script(visible)
    finally:
        browser.switch_to.default_content()
    time.sleep(1)
    assert _url_params(browser)["as_of"] == [last]
    browser.switch_to.frame(frame)
    try:
        browser.find_element(By.ID, "gp-asof").send_keys(Keys.HOME)  # to the first month, released
        month = browser.find_element(By.ID, "gp-asof-month").text
        early = browser.execute_script(visible)
        count = browser.find_element(By.ID, "gp-asof-count").text
        exported = browser.execute_script("return (window.gp.svg().match(/<g>/g) || []).length")
    finally:
        browser.switch_to.default_content()
    assert early < middle <= total and early < total
    assert count.startswith(f"{early} of {total} entities shown as of {month}")
    assert exported == early  # the SVG export draws what the slider shows
    params = _wait(lambda: (p := _url_params(browser)).get("as_of") == [month] and p)
    assert params["cap"] == ["5000"]
    settle(browser)
    assert not streamlit_errors(browser)
    assert f"slider in the drawing is at {month}" in browser.execute_script("return document.body.innerText")
    with reopened_canvas(browser):
        assert browser.execute_script("return window.gp.asOf()") == month
        assert browser.find_element(By.ID, "gp-asof-on").is_selected()
        assert browser.execute_script(visible) == early
