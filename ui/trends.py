"""Charts over time: always a window (12 months, 4 quarters or the years ending at the chosen
period), the chosen period highlighted, a period still open drawn lighter and hatched.

The window and the figures' definitions come from ``storage.figures``; the per-period figures
from ``storage.queries.trend`` (through ``ui.data.trend``).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from storage.figures import FIGURES, coverage_text, month_end, month_window, trend_buckets
from storage.queries import Filters
from ui import charts, data
from ui.format import fmt_number, fmt_percent, fmt_period_short

SELECTED_FILL = "rgba(255, 196, 0, 0.16)"  # the band behind the chosen period
OPEN_PATTERN = "/"  # hatching of a period still open
OPEN_NOTE = "cột gạch chéo: kỳ chưa khép lại, số liệu còn tăng; nền vàng: kỳ đang xem"


def _first_month() -> str | None:
    periods = data.list_periods()
    return periods[0] if periods else None


def buckets(f: Filters):
    return trend_buckets(f.period_from, f.period_to, data.today(), _first_month())


def month_filters(f: Filters) -> Filters:
    """``f`` widened to the months a month-by-month chart shows (at least 12 ending at its end)."""
    first, last = month_window(f.period_from, f.period_to, data.today())
    return Filters(period_from=first, period_to=last, group=f.group, unit=f.unit, ward=f.ward)


def months_of(f: Filters) -> list[str]:
    first, last = month_window(f.period_from, f.period_to, data.today())
    out = [first]
    while out[-1] < last:
        y, m = int(out[-1][:4]), int(out[-1][5:7])
        out.append(f"{y + (m == 12):04d}-{m % 12 + 1:02d}")
    return out


def selected_months(f: Filters, months: list[str]) -> list[str]:
    lo, hi = f.period_from or months[-1], f.period_to or months[-1]
    return [m for m in months if lo <= m <= hi]


def _lighter(hex_color: str, amount: float = 0.55) -> str:
    r, g, b = (int(hex_color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (int(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02X}{g:02X}{b:02X}"


def highlight(fig: go.Figure, categories: list[str], selected: list[str]) -> go.Figure:
    """A light band behind the chosen period(s) on a category x axis."""
    idx = [categories.index(c) for c in selected if c in categories]
    if idx:
        fig.add_vrect(x0=min(idx) - 0.5, x1=max(idx) + 0.5, fillcolor=SELECTED_FILL, line_width=0, layer="below")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=categories)
    return fig


def trend_frame(f: Filters) -> pd.DataFrame:
    return data.trend(f)


def chart(
    tr: pd.DataFrame, key: str, *, title: str | None = None, presentation: bool = False, height: int = 300
) -> go.Figure:
    """Columns of one headline figure (``storage.figures.FIGURES[key]``) per period of the window:
    its one colour, the chosen period full colour and highlighted, the others lighter, a period
    still open hatched; no column (and "chưa có số liệu") where nothing was reported."""
    fig_def = FIGURES[key]
    share = fig_def.kind == "share"
    labels = tr["label"].astype(str).tolist()
    values = [None if pd.isna(v) else float(v) for v in tr[key]]
    shown = [None if v is None else (v * 100 if share else v) for v in values]
    colors = [fig_def.color if sel else _lighter(fig_def.color) for sel in tr["selected"]]
    patterns = [OPEN_PATTERN if bool(o) and v is not None else "" for o, v in zip(tr["open"], values, strict=True)]
    text = ["" if v is None else (fmt_percent(v) if share else fmt_number(v)) for v in values]
    hover = []
    for label_, v, row in zip(labels, values, tr.to_dict("records"), strict=True):
        value = "chưa có số liệu" if v is None else (fmt_percent(v) if share else fmt_number(v))
        line = f"<b>{label_}</b><br>{fig_def.label}: {value}"
        if bool(row["open"]):
            line += f"<br>Kỳ chưa khép lại: {coverage_text(row)}"
        hover.append(line)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=shown,
            marker={"color": colors, "pattern": {"shape": patterns, "fgcolor": fig_def.color, "solidity": 0.35}},
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hoverinfo="text",
            name=fig_def.label,
        )
    )
    charts.style(fig, title or fig_def.label, height=height, legend=False, presentation=presentation)
    highlight(fig, labels, [lbl for lbl, sel in zip(labels, tr["selected"], strict=True) if sel])
    top = max([v for v in shown if v is not None] or [1])
    fig.update_yaxes(range=[0, top * 1.18], ticksuffix="%" if share else None, title=None, rangemode="tozero")
    fig.update_xaxes(title=None)
    return fig


def open_note(tr: pd.DataFrame) -> str | None:
    """One line naming the periods of the window still open, with their counts of units."""
    rows = tr[tr["open"].astype(bool) & (tr["reports_received"] > 0)]
    if rows.empty:
        return None
    parts = []
    for r in rows.to_dict("records"):
        parts.append(f"{r['label']} chưa khép lại ({coverage_text(r)})")
    return "; ".join(parts) + f" – {OPEN_NOTE}."


def today_label() -> str:
    return fmt_period_short(f"{data.today():%Y-%m}")


def open_months(months: list[str]) -> list[str]:
    """Months not yet ended (a month's reports are due inside it, so an ended month is due)."""
    today = data.today()
    return [m for m in months if today <= month_end(m)]


def mark_months(fig: go.Figure, f: Filters, months: list[str]) -> go.Figure:
    """On a chart with one category per month of ``months`` (labels "11/2026"): the chosen range's
    months highlighted, the months still open hatched and lighter."""
    labels = [fmt_period_short(m) for m in months]
    highlight(fig, labels, [fmt_period_short(m) for m in selected_months(f, months)])
    still_open = {fmt_period_short(m) for m in open_months(months)}
    for trace in fig.data:
        if trace.type != "bar" or trace.x is None:
            continue
        xs = [str(x) for x in trace.x]
        if not still_open.intersection(xs):
            continue
        trace.marker.pattern.shape = [OPEN_PATTERN if x in still_open else "" for x in xs]
        trace.marker.pattern.solidity = 0.35
        trace.marker.opacity = None
        trace.selectedpoints = None
    return fig


def months_note(f: Filters, months: list[str], comp: pd.DataFrame | None = None) -> str | None:
    """ "11/2026 chưa khép lại (25/39 đơn vị đã báo cáo) – …" for the open months of a month-by-month chart."""
    parts = []
    for m in open_months(months):
        if comp is not None and not comp.empty:
            c = comp[comp["period"] == m]
            if c.empty or c["submitted_at"].notna().sum() == 0:
                continue
            cov = coverage_text(
                {"reports_received": int(c["submitted_at"].notna().sum()), "reports_expected": len(c), "months": 1}
            )
            parts.append(f"{fmt_period_short(m)} chưa khép lại ({cov})")
        else:
            parts.append(f"{fmt_period_short(m)} chưa khép lại")
    return ("; ".join(parts) + f" – {OPEN_NOTE}.") if parts else None


def legend_below(fig: go.Figure, rows: int = 2) -> go.Figure:
    """Put the legend under the plot: clear of the title above and of the toolbar on a phone."""
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "xanchor": "left", "title": None},
        margin={"b": 60 + 22 * rows},
    )
    return fig
