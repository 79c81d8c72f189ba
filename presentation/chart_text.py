"""Every chart in words: a one-sentence reading and the table of what it draws.

Built from the plotly figure itself (the same numbers the reader sees drawn), so the text
can never disagree with the chart. Used under every chart of the dashboard
(``ui.charts.show``): a screen reader, or a reader who cannot tell the colours apart,
gets the chart's main reading as text and its data as a table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from presentation.format import fmt_number

_TAG = re.compile(r"<[^>]+>")
CATEGORY = "Hạng mục"
VALUE = "Giá trị"


def plain(text: Any) -> str:
    """Figure text without its HTML (line breaks become ' – ')."""
    s = str(text or "")
    s = re.sub(r"<br\s*/?>", " – ", s, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", _TAG.sub("", s)).strip(" –")


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return fmt_number(value, 0 if float(value).is_integer() else 1)


def _seq(values: Any) -> list:
    if values is None:
        return []
    if hasattr(values, "tolist"):
        values = values.tolist()
    return list(values) if isinstance(values, Iterable) and not isinstance(values, str) else [values]


def _label(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return plain(value)


def _trace_name(trace: Any, index: int, count: int) -> str:
    name = plain(getattr(trace, "name", None))
    if name:
        return name
    return VALUE if count == 1 else f"{VALUE} {index + 1}"


def _pairs(trace: Any) -> list[tuple[str, float | None, str | None]]:
    """(category, number, shown text) for each point of a bar, line or pie trace."""
    kind = trace.type
    if kind == "pie":
        labels, values = _seq(trace.labels), _seq(trace.values)
        return [(_label(lab), _number(v), None) for lab, v in zip(labels, values, strict=False)]
    if kind not in ("bar", "scatter", "scattergl"):
        return []
    horizontal = getattr(trace, "orientation", None) == "h"
    cats, vals = (_seq(trace.y), _seq(trace.x)) if horizontal else (_seq(trace.x), _seq(trace.y))
    if not cats and vals:
        cats = list(range(1, len(vals) + 1))
    texts = _seq(getattr(trace, "text", None))
    out = []
    for i, (c, v) in enumerate(zip(cats, vals, strict=False)):
        shown = plain(texts[i]) if i < len(texts) and texts[i] not in (None, "") else None
        out.append((_label(c), _number(v), shown))
    return out


def _heatmap_table(trace: Any) -> pd.DataFrame:
    xs, ys, zs = _seq(trace.x), _seq(trace.y), _seq(trace.z)
    texts = _seq(getattr(trace, "text", None))
    rows = []
    for r, y in enumerate(ys):
        row: dict[str, Any] = {CATEGORY: _label(y)}
        zrow = _seq(zs[r]) if r < len(zs) else []
        trow = _seq(texts[r]) if r < len(texts) else []
        for c, x in enumerate(xs):
            shown = plain(trow[c]) if c < len(trow) and trow[c] not in (None, "") else None
            value = zrow[c] if c < len(zrow) else None
            row[_label(x)] = shown if shown is not None else _fmt(_number(value))
        rows.append(row)
    return pd.DataFrame(rows)


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """The chart's numbers as a table: one row per category, one column per series (as shown)."""
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    if heatmaps:
        return _heatmap_table(heatmaps[0])
    traces = [t for t in fig.data if _pairs(t)]
    order: list[str] = []
    cells: dict[str, dict[str, str]] = {}
    for i, trace in enumerate(traces):
        name = _trace_name(trace, i, len(traces))
        for cat, value, shown in _pairs(trace):
            if cat not in cells:
                order.append(cat)
                cells[cat] = {}
            cells[cat][name] = shown if (shown and value is None) else _fmt(value)
    columns = [_trace_name(t, i, len(traces)) for i, t in enumerate(traces)]
    rows = [{CATEGORY: cat, **{c: cells[cat].get(c, "") for c in columns}} for cat in order]
    return pd.DataFrame(rows, columns=[CATEGORY, *columns])


def _title(fig: go.Figure) -> str:
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    title = plain(meta.get("title") or (fig.layout.title.text if fig.layout.title else ""))
    context = plain(meta.get("context") or "")
    return f"{title} ({context})" if title and context and context not in title else title


def _is_trend(trace: Any) -> bool:
    return trace.type in ("scatter", "scattergl") and "lines" in str(getattr(trace, "mode", "") or "lines")


def _series_reading(trace: Any, name: str) -> str:
    points = [(c, v) for c, v, _ in _pairs(trace) if v is not None]
    if not points:
        return f"{name}: chưa có số liệu"
    if _is_trend(trace) and len(points) >= 2:
        (prev_c, prev_v), (last_c, last_v) = points[-2], points[-1]
        delta = last_v - prev_v
        if delta == 0:
            change = f"không đổi so với {prev_c}"
        else:
            change = f"{'tăng' if delta > 0 else 'giảm'} {_fmt(abs(delta))} so với {prev_c}"
        return f"{name}: {last_c} là {_fmt(last_v)}, {change}"
    if len(points) == 1:
        return f"{name}: {points[0][0]} là {_fmt(points[0][1])}"
    top = max(points, key=lambda p: p[1])
    low = min(points, key=lambda p: p[1])
    total = sum(v for _, v in points)
    tied_top = [c for c, v in points if v == top[1]]
    highest = top[0] if len(tied_top) == 1 else f"{len(tied_top)} hạng mục bằng nhau"
    text = f"{name}: {len(points)} hạng mục, tổng {_fmt(total)}; cao nhất {highest} ({_fmt(top[1])})"
    if low[1] != top[1]:
        tied_low = [c for c, v in points if v == low[1]]
        lowest = low[0] if len(tied_low) == 1 else f"{len(tied_low)} hạng mục"
        text += f", thấp nhất {lowest} ({_fmt(low[1])})"
    return text


def figure_summary(fig: go.Figure) -> str:
    """One sentence: what the chart shows and its main reading, from the figure's own numbers."""
    title = _title(fig) or "Biểu đồ"
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    if heatmaps:
        table = _heatmap_table(heatmaps[0])
        values = table.drop(columns=[CATEGORY]).to_numpy().ravel().tolist() if not table.empty else []
        counts: dict[str, int] = {}
        for v in values:
            if v not in ("", "–"):
                counts[str(v)] = counts.get(str(v), 0) + 1
        shown = "; ".join(f"{k}: {_fmt(n)} ô" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6])
        return f"{title}. {len(table)} hàng × {len(table.columns) - 1} cột" + (f"; {shown}." if shown else ".")
    traces = [t for t in fig.data if _pairs(t)]
    if not traces:
        return f"{title}: chưa có số liệu."
    if len(traces) > 4:  # many series (stacked statuses): totals per series read best
        totals = []
        for i, t in enumerate(traces):
            s = sum(v for _, v, _ in _pairs(t) if v is not None)
            totals.append(f"{_trace_name(t, i, len(traces))} {_fmt(s)}")
        return f"{title}. Tổng theo chuỗi: " + ", ".join(totals) + "."
    readings = [_series_reading(t, _trace_name(t, i, len(traces))) for i, t in enumerate(traces)]
    return f"{title}. " + "; ".join(readings) + "."
