"""What each meeting screen (ui/present.py) must show, computed from storage.queries, and
readers for the plotly figures a test gets (AppTest's JSON spec or the browser's graph div)."""

from __future__ import annotations

import base64
import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from exports import slides
from storage import queries as q
from storage.queries import Filters
from ui.format import fmt_date, fmt_int, fmt_period_short, label

SCREEN_TITLES = [*slides.SLIDE_TITLES, "Đề xuất, kiến nghị"]
CHART_SCREENS = {3: "tasks", 5: "channel", 6: "period", 7: "attendance", 8: "compliance"}  # 1-based


def values(v: Any) -> list:
    """A plotly array as a list: plain lists, or plotly's {"dtype", "bdata"} typed arrays."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    if v is None:
        return []
    if isinstance(v, dict):  # a typed array as the browser serialises it: {"0": .., "1": ..}
        return [v[k] for k in sorted(v, key=int)]
    return list(v)


def series(fig: dict) -> dict[str, dict[str, float]]:
    """trace name -> {category: value} (category on the axis opposite the bars' length)."""
    out: dict[str, dict[str, float]] = {}
    for trace in fig["data"]:
        xs, ys = values(trace.get("x")), values(trace.get("y"))
        cats, nums = (ys, xs) if trace.get("orientation") == "h" else (xs, ys)
        got = out.setdefault(str(trace.get("name") or ""), {})
        for c, n in zip(cats, nums, strict=False):
            got[str(c)] = got.get(str(c), 0) + float(n)
    return out


def totals_by_category(fig: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for per in series(fig).values():
        for c, n in per.items():
            out[c] = out.get(c, 0) + n
    return out


def expected(engine, f: Filters, today: dt.date) -> dict[str, Any]:
    """Per screen key, the figures the screen must show for ``f``."""
    h = q.headline(engine, f, today)
    tasks = slides.task_status_counts(
        SimpleNamespace(
            tasks=q.task_timeline(engine, f, today), extra={"task_unit_grid": q.task_unit_grid(engine, f, today)}
        )
    )
    task_series = {
        label("status", k): {str(t): float(n) for t, n in tasks[k].items() if n}
        for k in ("done", "in_progress", "not_started", "no_report")
        if k in tasks and tasks[k].sum() > 0
    }
    od = q.overdue_tasks(engine, f, today).sort_values("days_overdue", ascending=False)
    ch = q.propaganda_by_channel(engine, f)
    pp = q.propaganda_by_period(engine, f)
    per_month = pp.groupby("period")["quantity"].sum() if not pp.empty else pd.Series(dtype=float)
    att = q.attendance_by_group(engine, f)
    comp = q.compliance(engine, f, today=today)
    comp_series: dict[str, dict[str, float]] = {}
    for (period, status), n in comp.groupby(["period", "status"]).size().items():
        comp_series.setdefault(label("compliance", status), {})[fmt_period_short(period)] = float(n)
    ob = q.obstacles(engine, f)
    n_open = int((~ob["handled"].fillna(False).astype(bool)).sum()) if not ob.empty else 0
    missing = comp[comp["status"] == "missing"]
    proposals = []
    if not od.empty:
        proposals.append(f"Đôn đốc {fmt_int(len(od))} nhiệm vụ quá hạn")
    if not missing.empty:
        latest = str(missing["period"].max())
        n_latest = int((missing["period"] == latest).sum())
        proposals.append(f"Nhắc {fmt_int(n_latest)} đơn vị chưa nộp báo cáo tháng {fmt_period_short(latest)}")
    if n_open:
        proposals.append(f"Cho ý kiến chỉ đạo {fmt_int(n_open)} khó khăn, vướng mắc")
    return {
        "headline": [value for _, value, _ in slides.headline_cards(h, h.get("previous") or {})],
        "tasks": task_series,
        "overdue": {
            "codes": od["task_code"].astype(str).head(6).tolist(),
            "note": f"{fmt_int(len(od))} nhiệm vụ quá hạn tính đến ngày {fmt_date(today)}",
        },
        "channel": {label("channel", c): float(n) for c, n in zip(ch["channel"], ch["quantity"], strict=False)},
        "channel_total": f"Tổng cộng: {fmt_int(int(ch['quantity'].sum()))}" if not ch.empty else None,
        "period": {fmt_period_short(p): float(n) for p, n in per_month.items()},
        "attendance": {
            (label("participant_group", g) or "Không ghi"): round(float(r) * 100, 6)
            for g, r in zip(att["participant_group"], att["rate"], strict=False)
        },
        "compliance": comp_series,
        "obstacles": f"{fmt_int(len(ob))} nội dung, {fmt_int(n_open)} chưa xử lý",
        "proposals": proposals,
    }


def check_chart(key: str, fig: dict, want: dict[str, Any]) -> None:
    """Assert that the figure of the chart screen ``key`` shows the expected figures."""
    if key == "tasks":
        got = _drop_zeros(series(fig))
        assert got == want["tasks"], (got, want["tasks"])
    elif key == "channel":
        got = totals_by_category(fig)
        assert got == want["channel"], (got, want["channel"])
    elif key == "period":
        got = totals_by_category(fig)
        assert got == want["period"], (got, want["period"])
    elif key == "attendance":
        got = {c: round(v, 6) for c, v in totals_by_category(fig).items()}
        assert got == pytest_approx(want["attendance"]), (got, want["attendance"])
    elif key == "compliance":
        got = _drop_zeros(series(fig))
        assert got == want["compliance"], (got, want["compliance"])
    else:
        raise AssertionError(key)


def _drop_zeros(s: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {name: {c: n for c, n in per.items() if n} for name, per in s.items() if any(per.values())}


def pytest_approx(d: dict[str, float]):
    import pytest

    return pytest.approx(d, abs=1e-6)
