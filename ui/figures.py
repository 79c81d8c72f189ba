"""The figures that both a dashboard page and the meeting screens (ui.present) draw.

Each takes the frame of a ``ui.data`` query as it comes and returns a plotly
figure built with ``ui.charts``; ``presentation=True`` gives the big, high-contrast
type of the meeting screens. One function per figure, so a page and its screen
never disagree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ui import charts, theme
from ui.format import fmt_period_short, label

NO_GROUP = "Không ghi"


def propaganda_per_month(
    by_period: pd.DataFrame, *, title: str = "Tuyên truyền theo tháng", presentation: bool = False
) -> go.Figure:
    """Columns of the month's total (all channels), the number on each column.
    ``by_period``: ``propaganda_by_period`` (period, channel, quantity, reach)."""
    totals = by_period.groupby("period", as_index=False)[["quantity", "reach"]].sum().sort_values("period")
    totals["period_label"] = totals["period"].map(fmt_period_short)
    fig = charts.bar(
        pd.DataFrame(totals),
        x="period_label",
        y="quantity",
        labels={"period_label": "Tháng", "quantity": "Số lượng (tin, bài, buổi)"},
        title=title,
        text_auto=",.0f",
        presentation=presentation,
    )
    fig.update_traces(marker_color=theme.SEQUENCE[0], textposition="outside", cliponaxis=False)
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, float(totals["quantity"].max() or 1) * 1.15])
    return fig


def propaganda_by_channel(
    by_channel: pd.DataFrame, *, title: str = "Theo hình thức tuyên truyền", presentation: bool = False
) -> go.Figure:
    """Horizontal bars, one per channel, largest on top, the number on each bar.
    ``by_channel``: ``propaganda_by_channel`` (channel, quantity, reach)."""
    column = "Hình thức"
    shown = by_channel.assign(**{column: by_channel["channel"].map(lambda k: label("channel", k))})
    shown = shown.sort_values("quantity")
    fig = charts.bar(
        shown,
        x="quantity",
        y=column,
        orientation="h",
        labels={"quantity": "Số lượng"},
        title=title,
        text_auto=",.0f",
        height=charts.horizontal_height(len(shown), 40),
        presentation=presentation,
    )
    fig.update_traces(marker_color=theme.SEQUENCE[0])
    if presentation:  # numbers outside the bars, black on white
        fig.update_traces(textposition="outside", cliponaxis=False)
        fig.update_xaxes(range=[0, float(shown["quantity"].max() or 1) * 1.15])
    return fig


def attendance_rate_by_group(
    by_group: pd.DataFrame, *, title: str = "Tỷ lệ tham dự theo thành phần", presentation: bool = False
) -> go.Figure:
    """Rate bars per participant group. ``by_group``: ``attendance_by_group``."""
    column = "Thành phần"
    shown = by_group.assign(**{column: by_group["participant_group"].map(_participant)})
    return charts.rate_bars(
        shown.sort_values("rate"),
        rate="rate",
        y=column,
        title=title,
        color=theme.PRESENT_COLOR,
        per_row=44,
        presentation=presentation,
    )


def _participant(key: Any) -> str:
    return label("participant_group", key) or NO_GROUP


def compliance_per_month(
    compliance: pd.DataFrame, *, title: str = "Theo tháng", presentation: bool = False
) -> go.Figure:
    """Stacked columns per month: units on time, late, missing (and not yet due).
    ``compliance``: the ``compliance`` query (one row per unit and month)."""
    shown = compliance.assign(
        **{
            "Tình trạng": compliance["status"].map(lambda k: label("compliance", k)),
            "Tháng": compliance["period"].map(fmt_period_short),
        }
    )
    months = [fmt_period_short(p) for p in sorted(compliance["period"].unique())]
    per_month = shown.groupby(["Tháng", "Tình trạng"], as_index=False).size()
    fig = charts.bar(
        per_month,
        x="Tháng",
        y="size",
        color="Tình trạng",
        labels={"size": "Số đơn vị"},
        title=title,
        color_map=theme.compliance_map(),
        category_orders={"Tháng": months, "Tình trạng": theme.compliance_labels()},
        text_auto=presentation,
        presentation=presentation,
    )
    fig.update_xaxes(type="category")
    if presentation:  # a number that does not fit its segment at full size is left out, never shrunk
        fig.update_traces(textposition="inside", insidetextanchor="middle", textangle=0)
        fig.update_layout(uniformtext={"minsize": charts.scale(True).text, "mode": "hide"})
    return fig


TASK_PROGRESS_KEYS = ("done", "in_progress", "not_started", "no_report")


def task_progress(counts: pd.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Stacked columns per plan task: how many assigned units report it done, in progress,
    not started, or have not reported. ``counts``: index task code, one column per key
    (``exports.slides.task_status_counts``, the deck's own count)."""
    keys = [k for k in TASK_PROGRESS_KEYS if k in counts.columns and counts[k].sum() > 0] or ["done"]
    long = (
        counts.reindex(columns=keys, fill_value=0)
        .rename_axis("task_code")
        .reset_index()
        .melt(id_vars="task_code", var_name="status", value_name="units")
    )
    long["Tình trạng"] = long["status"].map(lambda k: label("status", k))
    fig = charts.bar(
        long,
        x="task_code",
        y="units",
        color="Tình trạng",
        labels={"task_code": "Nhiệm vụ", "units": "Số đơn vị"},
        title=title,
        color_map=theme.task_status_map(),
        category_orders={"task_code": list(counts.index), "Tình trạng": [label("status", k) for k in keys]},
        presentation=presentation,
    )
    fig.update_xaxes(type="category", title=None)
    charts.integer_axis(fig, float(counts[keys].sum(axis=1).max() or 0), axis="y")
    if presentation:  # the count on each segment that has room for it; light segments outlined
        fig.update_traces(
            texttemplate="%{y}", textposition="inside", textangle=0, marker_line_width=1, marker_line_color="#8C959F"
        )
        fig.update_layout(uniformtext={"minsize": charts.scale(True).text, "mode": "hide"})
    return fig
