"""The sidebar filters shared by every page, kept in the URL.

The filters live in ``st.session_state`` (widgets drawn by app.py on every
run, so they survive page changes) and are mirrored to ``st.query_params`` so
that a copied link opens the same view. URL keys:

- ``kind``: ``month`` | ``quarter`` | ``year`` | ``range``
- ``period``: ``2026-02`` (month), ``2026-Q1`` (quarter), ``2026`` (year)
- ``from``, ``to``: ``YYYY-MM`` (range)
- ``group``: a unit group name; ``unit``: a unit code
"""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from storage.queries import Filters
from ui.format import ROMAN, fmt_period, fmt_period_short

KINDS = {"month": "Tháng", "quarter": "Quý", "year": "Năm", "range": "Khoảng tháng"}
ALL = "__all__"
URL_KEYS = ("kind", "period", "from", "to", "group", "unit", "plan")
_WRITTEN = "_flt_url_written"
_STATE = "_flt_current"


# ---------------------------------------------------------------- periods


def month_add(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def month_span(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] < last:
        out.append(month_add(out[-1], 1))
    return out


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarter_months(quarter: str) -> tuple[str, str]:
    y, q = quarter[:4], int(quarter[-1])
    return f"{y}-{(q - 1) * 3 + 1:02d}", f"{y}-{q * 3:02d}"


def month_options(periods: list[str], today: date) -> list[str]:
    """Every month from the first with data (or January this year) to the later of
    the last with data and this month."""
    months = sorted(p for p in periods if re.fullmatch(r"\d{4}-\d{2}", p))
    now = f"{today.year:04d}-{today.month:02d}"
    first = min([*months[:1], f"{today.year:04d}-01"])
    last = max([*months[-1:], now])
    return month_span(first, last)


def resolve(kind: str, period: str | None, start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """The inclusive (from, to) months of a period choice."""
    if kind == "quarter" and period:
        return quarter_months(period)
    if kind == "year" and period:
        return f"{period}-01", f"{period}-12"
    if kind == "range" and start and end:
        return (start, end) if start <= end else (end, start)
    return period, period  # month


def describe(kind: str, period: str | None, start: str | None, end: str | None) -> str:
    if kind == "range":
        a, b = resolve(kind, period, start, end)
        return f"{fmt_period(a)} – {fmt_period(b)}" if a != b else fmt_period(a)
    return fmt_period(period)


def _quarter_label(q: str) -> str:
    return f"Quý {ROMAN[int(q[-1])]}/{q[:4]}"


# ---------------------------------------------------------------- URL sync


def _defaults(months: list[str], periods: list[str]) -> dict[str, str]:
    data_months = [p for p in periods if p in months]
    latest = data_months[-1] if data_months else months[-1]
    return {
        "kind": "month",
        "month": latest,
        "quarter": quarter_of(latest),
        "year": latest[:4],
        "from": months[0],
        "to": latest,
        "group": ALL,
        "unit": ALL,
    }


def _apply_url(options: dict[str, list[str]], unit_groups: dict[str, str]) -> None:
    """Copy URL values that differ from what we last wrote into the widget state."""
    url = {k: st.query_params.get(k) for k in URL_KEYS if st.query_params.get(k)}
    if url == st.session_state.get(_WRITTEN):
        return
    ss = st.session_state
    kind = url.get("kind")
    if kind in KINDS:
        ss["flt_kind"] = kind
    period = url.get("period")
    if period:
        current_kind = ss.get("flt_kind", "month")
        target = {"month": "flt_month", "quarter": "flt_quarter", "year": "flt_year"}.get(current_kind)
        if target and period in options[target]:
            ss[target] = period
    start, end = url.get("from"), url.get("to")
    if start in options["flt_month"] and end in options["flt_month"]:
        ss["flt_from"], ss["flt_to"] = sorted((start, end))
    group = url.get("group")
    if group in options["flt_group"]:
        ss["flt_group"] = group
    unit = url.get("unit")
    if unit in unit_groups:
        ss["flt_unit"] = unit
        if ss.get("flt_group", ALL) not in (ALL, unit_groups[unit]):
            ss["flt_group"] = ALL


def _write_url(values: dict[str, str | None]) -> None:
    url = {k: v for k, v in values.items() if v}
    if {k: st.query_params.get(k) for k in URL_KEYS if st.query_params.get(k)} != url:
        # keys that are not filters (e.g. ?trinh-chieu=1&trang=3, ui/present.py) stay in the URL
        others = {k: v for k, v in st.query_params.to_dict().items() if k not in URL_KEYS}
        st.query_params.from_dict({**url, **others})
    st.session_state[_WRITTEN] = url


# ---------------------------------------------------------------- sidebar


def _plan_choice(plans: list[tuple[str, str, bool]]) -> str | None:
    """The plan chosen in the sidebar (shown only when the ward has several); None: the current one."""
    if len(plans) < 2:
        return None
    codes = [c for c, _, _ in plans]
    current = next((c for c, _, cur in plans if cur), codes[0])
    labels = {c: f"{label or c}{' (hiện hành)' if cur else ''}" for c, label, cur in plans}
    ss = st.session_state
    asked = st.query_params.get("plan")
    if asked in codes and ss.get("_flt_plan_url") != asked:
        ss["flt_plan"] = ss["_flt_plan_url"] = asked
    if ss.get("flt_plan") not in codes:
        ss["flt_plan"] = current
    with st.sidebar:
        chosen = st.selectbox("Kế hoạch", codes, format_func=lambda c: str(labels.get(c)), key="flt_plan")
    return None if chosen == current else chosen


def sidebar_filters(
    units, periods: list[str], today: date, plans: list[tuple[str, str, bool]] | None = None
) -> Filters:
    """Draw the filters in the sidebar and return the chosen ``Filters``.

    ``units``: the registry frame (code, name, group, short_name);
    ``periods``: months with data; ``plans``: (code, label, is_current) of the ward's plans
    (a choice appears when there are several; the current plan by default).
    """
    ss = st.session_state
    months = month_options(periods, today)
    quarters = sorted({quarter_of(m) for m in months})
    years = sorted({m[:4] for m in months})
    groups = sorted({str(g) for g in units["group"].tolist()}) if len(units) else []
    unit_groups = dict(zip(units["code"].astype(str), units["group"].astype(str), strict=False)) if len(units) else {}
    names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False)) if len(units) else {}
    options = {
        "flt_month": months,
        "flt_from": months,
        "flt_to": months,
        "flt_quarter": quarters,
        "flt_year": years,
        "flt_group": [ALL, *groups],
    }
    defaults = _defaults(months, periods)
    for key, default in (
        ("flt_kind", defaults["kind"]),
        ("flt_month", defaults["month"]),
        ("flt_quarter", defaults["quarter"]),
        ("flt_year", defaults["year"]),
        ("flt_from", defaults["from"]),
        ("flt_to", defaults["to"]),
        ("flt_group", defaults["group"]),
        ("flt_unit", defaults["unit"]),
    ):
        ss.setdefault(key, default)
    _apply_url(options, unit_groups)
    # keep every value valid for the current options
    fallback = {
        "flt_month": defaults["month"],
        "flt_from": defaults["from"],
        "flt_to": defaults["to"],
        "flt_quarter": defaults["quarter"],
        "flt_year": defaults["year"],
        "flt_group": ALL,
    }
    for key, value in fallback.items():
        if ss[key] not in options[key]:
            ss[key] = value

    with st.sidebar:
        st.markdown("**Bộ lọc**")
        kind = st.segmented_control(
            "Kỳ xem", list(KINDS), format_func=lambda k: str(KINDS.get(k)), key="flt_kind", selection_mode="single"
        )
        if kind is None:  # a click on the selected option clears it: keep a value
            kind = "month"
        period = start = end = None
        if kind == "month":
            period = st.selectbox("Tháng", months[::-1], format_func=fmt_period, key="flt_month")
        elif kind == "quarter":
            period = st.selectbox("Quý", quarters[::-1], format_func=_quarter_label, key="flt_quarter")
        elif kind == "year":
            period = st.selectbox("Năm", years[::-1], format_func=lambda y: f"Năm {y}", key="flt_year")
        else:
            left, right = st.columns(2)
            start = left.selectbox("Từ tháng", months, format_func=fmt_period_short, key="flt_from")
            end = right.selectbox("Đến tháng", months, format_func=fmt_period_short, key="flt_to")
        group = st.selectbox(
            "Khối đơn vị",
            options["flt_group"],
            format_func=lambda g: "Tất cả các khối" if g == ALL else g,
            key="flt_group",
        )
        unit_codes = [c for c in names if group == ALL or unit_groups.get(c) == group]
        if ss["flt_unit"] not in (ALL, *unit_codes):
            ss["flt_unit"] = ALL
        unit = st.selectbox(
            "Đơn vị",
            [ALL, *unit_codes],
            format_func=lambda c: "Tất cả các đơn vị" if c == ALL else names.get(c, c),
            key="flt_unit",
        )

    plan = _plan_choice(plans or [])
    _write_url(
        {
            "plan": plan,
            "kind": kind,
            "period": period if kind != "range" else None,
            "from": start if kind == "range" else None,
            "to": end if kind == "range" else None,
            "group": None if group == ALL else group,
            "unit": None if unit == ALL else unit,
        }
    )
    period_from, period_to = resolve(kind, period, start, end)
    flt = Filters(
        period_from=period_from,
        period_to=period_to,
        group=None if group == ALL else group,
        unit=None if unit == ALL else unit,
        plan=plan,
    )
    ss[_STATE] = flt
    ss["_flt_label"] = describe(kind, period, start, end)
    return flt


def current() -> Filters:
    """The filters chosen in the sidebar in this run (app.py draws them first)."""
    flt = st.session_state.get(_STATE)
    return flt if flt is not None else Filters()


def current_label() -> str:
    return st.session_state.get("_flt_label", "")


def url_params(**overrides: str | None) -> dict[str, str]:
    """The current view's URL parameters, with ``overrides`` (None removes a key)."""
    params = dict(st.session_state.get(_WRITTEN) or {})
    for k, v in overrides.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return params


def previous(f: Filters) -> Filters | None:
    """The range of the same length just before ``f`` (None without a range)."""
    if not f.period_from or not f.period_to:
        return None
    y1, m1 = int(f.period_from[:4]), int(f.period_from[5:7])
    y2, m2 = int(f.period_to[:4]), int(f.period_to[5:7])
    length = (y2 * 12 + m2) - (y1 * 12 + m1) + 1
    return Filters(
        period_from=month_add(f.period_from, -length),
        period_to=month_add(f.period_from, -1),
        group=f.group,
        unit=f.unit,
        plan=f.plan,
    )
