"""Trình chiếu through app.py with Streamlit's AppTest: ?trinh-chieu=1 turns the current view
into the meeting screens with its filters, the buttons (and the keys bound to them) move
through every screen, each screen shows its title, the period and the unit scope and the
figures of storage.queries, and the way back lands on the same page and filters. Also: every
plotly figure the app draws carries its title, period and scope inside the figure."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from page_helpers import PAGES, TODAY, build_database, environment, run_page
from present_helpers import CHART_SCREENS, SCREEN_TITLES, check_chart, expected

from storage import db
from storage.queries import Filters

GROUP = "Chi bộ khu dân cư"
VIEW = {"kind": "quarter", "period": "2026-Q3", "group": GROUP}
VIEW_F = Filters("2026-07", "2026-09", group=GROUP)
CONTEXT = f"Quý III/2026 · Khối {GROUP}"
NAV_KEYS = {
    "present_prev",
    "present_next",
    "present_close",
    "present_pgup",
    "present_pgdn",
    "present_home",
    "present_end",
}


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    return build_database(tmp_path_factory.mktemp("present") / "sample.db", seed=True)


@pytest.fixture(scope="module")
def want(sample_url):
    engine = db.get_engine(sample_url)
    try:
        return expected(engine, VIEW_F, dt.date.fromisoformat(TODAY))
    finally:
        engine.dispose()


def _click(at, url: str, key: str):
    """Press a button (as its keyboard shortcut would): its callback writes the URL; the app is
    then run on that URL, as the browser does. (A plain AppTest rerun after a click runs the
    page file without app.py since pages/ holds first-request files, see ui/first_request.py.)"""
    with environment(url):
        at.button(key=key).click().run()
    return run_page(
        url, params=dict(at.query_params.to_dict() if hasattr(at.query_params, "to_dict") else at.query_params)
    )


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _html(at) -> str:
    return "\n".join(str(m.value) for m in at.main.markdown)


def _screen_title(at) -> str:
    figs = _figures(at)
    if figs:
        return figs[0]["layout"]["meta"]["title"]
    html = _html(at)
    for cls in ("pres-title", "pres-cover-title"):
        marker = f"<div class='{cls}'>"
        if marker in html:
            return html.split(marker, 1)[1].split("</div>", 1)[0]
    raise AssertionError("no screen title")


def _check_screen(at, n: int, want) -> None:
    """Screen ``n`` (1-based) shows its title, the view's period and scope, and its figures."""
    assert not at.exception
    assert at.query_params.get("trang", "1") == str(n)
    assert _screen_title(at) == SCREEN_TITLES[n - 1]
    figs = _figures(at)
    html = _html(at)
    if n in CHART_SCREENS:
        assert len(figs) == 1
        title = figs[0]["layout"]["title"]["text"]
        assert SCREEN_TITLES[n - 1] in title and CONTEXT in title
        check_chart(CHART_SCREENS[n], figs[0], want)
    else:
        assert not figs
        assert CONTEXT in html
    if n == 2:
        for value in want["headline"]:
            assert f"<div class='pres-card-value'>{value}</div>" in html
    elif n == 4:
        if not want["overdue"]["codes"]:
            assert "Không có nhiệm vụ quá hạn tính đến ngày 28/11/2026" in html
        assert want["overdue"]["note"] in html or not want["overdue"]["codes"]
        for code in want["overdue"]["codes"]:
            assert f"<td class=''>{code}</td>" in html
    elif n == 5 and want["channel_total"]:
        texts = [a["text"] for a in figs[0]["layout"].get("annotations", [])]
        assert any(want["channel_total"] in t for t in texts)
    elif n == 9:
        assert want["obstacles"] in html
    elif n == 10:
        for item in want["proposals"]:
            assert item in html


def test_url_switch_keeps_the_filters_and_moves_through_every_screen(sample_url, want):
    at = run_page(sample_url, params={**VIEW, "trinh-chieu": "1"})
    assert not at.exception
    # nothing of the dashboard: no page title, no metric, no widget but the navigation bar
    assert not at.title and not at.main.metric and not at.main.selectbox
    assert {b.key for b in at.main.button} == NAV_KEYS
    assert {k: at.query_params[k] for k in VIEW} == VIEW  # the filters are still in the URL
    assert at.sidebar.selectbox(key="flt_group").value == GROUP  # and still applied
    _check_screen(at, 1, want)
    assert at.button(key="present_prev").disabled
    for n in range(2, len(SCREEN_TITLES) + 1):
        # the buttons carry the keys: → and Page Down (a clicker's "next") both go on
        key = "present_next" if n % 2 else "present_pgdn"
        at = _click(at, sample_url, key)
        _check_screen(at, n, want)
    assert at.button(key="present_next").disabled
    at = _click(at, sample_url, "present_pgup")  # a clicker's "back"
    assert at.query_params["trang"] == str(len(SCREEN_TITLES) - 1)
    at = _click(at, sample_url, "present_home")
    _check_screen(at, 1, want)
    at = _click(at, sample_url, "present_end")
    _check_screen(at, len(SCREEN_TITLES), want)


def test_shortcuts_are_the_presenters_keys(sample_url):
    at = run_page(sample_url, params={**VIEW, "trinh-chieu": "1", "trang": "2"})
    shortcuts = {b.key: b.proto.shortcut.lower() for b in at.main.button}
    assert shortcuts["present_prev"] == "left" and shortcuts["present_next"] == "right"
    assert shortcuts["present_pgup"] == "pageup" and shortcuts["present_pgdn"] == "pagedown"
    assert shortcuts["present_home"] == "home" and shortcuts["present_end"] == "end"


def test_header_button_opens_the_mode_and_the_way_back_is_the_same_view(sample_url):
    at = run_page(sample_url, params=VIEW)
    assert not at.exception
    at = _click(at, sample_url, "present_open")
    assert not at.exception
    assert at.query_params["trinh-chieu"] == "1" and at.query_params["trang"] == "1"
    assert {k: at.query_params[k] for k in VIEW} == VIEW
    assert not at.title
    at = _click(at, sample_url, "present_next")
    at = _click(at, sample_url, "present_close")
    assert not at.exception
    assert "trinh-chieu" not in at.query_params and "trang" not in at.query_params
    assert {k: at.query_params[k] for k in VIEW} == VIEW
    assert at.title[0].value == "Tổng quan"
    assert at.sidebar.selectbox(key="flt_group").value == GROUP


def test_a_screen_out_of_range_shows_the_nearest(sample_url):
    at = run_page(sample_url, params={**VIEW, "trinh-chieu": "1", "trang": "99"})
    assert not at.exception
    assert _screen_title(at) == SCREEN_TITLES[-1]
    at = run_page(sample_url, params={**VIEW, "trinh-chieu": "1", "trang": "abc"})
    assert _screen_title(at) == SCREEN_TITLES[0]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_chart_carries_its_title_period_and_scope(sample_url, page):
    params = {"kind": "quarter", "period": "2026-Q3"}
    scope = "Toàn Đảng bộ phường"
    if page == "pages/unit.py":
        params["unit"] = "KDC03"
        scope = "Chi bộ Khu dân cư số 3"
    at = run_page(sample_url, page, params=params)
    assert not at.exception
    figs = _figures(at)
    for fig in figs:
        title = fig["layout"].get("title", {}).get("text") or ""
        head = title.split("<br>", 1)[0]
        assert head.strip(), f"a chart without a title on {page}"
        assert "Quý III/2026" in title and scope in title, (page, title)


def test_every_screen_reads_on_a_ward_with_no_report(tmp_path):
    url = build_database(tmp_path / "empty.db", seed=False)
    at = run_page(url, params={"trinh-chieu": "1"})
    for n in range(1, len(SCREEN_TITLES) + 1):
        assert not at.exception
        assert at.query_params.get("trang", "1") == str(n)
        assert _screen_title(at) == SCREEN_TITLES[n - 1]
        assert not _figures(at)  # a plain sentence rather than an empty chart
        if n < len(SCREEN_TITLES):
            at = _click(at, url, "present_next")
