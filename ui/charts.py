"""Plotly helpers: Vietnamese labels, 1.234,5 numbers, dd/mm/yyyy dates,
one colour per status (ui.theme), full-width charts."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ui import theme

PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def plain(text: object) -> str:
    """Text from an uploaded file made inert for Plotly, whose labels read HTML-like
    tags (``<b>``, ``<a href>``): the tags are escaped and show as typed."""
    return html.escape("" if text is None else str(text), quote=False)


def style(fig: go.Figure, title: str | None = None, height: int | None = None, legend: bool = True) -> go.Figure:
    """The app's look: Vietnamese separators, clean title, legend on top."""
    fig.update_layout(
        separators=",.",
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}} if title else None,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left", "title": None},
        showlegend=legend,
        hoverlabel={"namelength": -1},
        font={"family": "Source Sans Pro, Arial, sans-serif"},
    )
    if height:
        fig.update_layout(height=height)
    # 30.000 rather than 30k; category and date axes ignore these
    fig.update_xaxes(separatethousands=True, exponentformat="none")
    fig.update_yaxes(separatethousands=True, exponentformat="none")
    return fig


def integer_axis(fig: go.Figure, max_value: float, axis: str = "x") -> go.Figure:
    """Counts never get 0,5 ticks."""
    if max_value <= 10:
        (fig.update_xaxes if axis == "x" else fig.update_yaxes)(dtick=1, tick0=0)
    return fig


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw full width. The chart's title is written by Streamlit above it, so a
    legend on top never runs into it."""
    title = fig.layout.title.text if fig.layout.title else None
    if title:
        st.markdown(f"**{title}**")
        fig.update_layout(title=None)
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def bar(
    frame: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    labels: dict[str, str],
    title: str | None = None,
    color: str | None = None,
    color_map: dict[str, str] | None = None,
    orientation: str = "v",
    barmode: str = "relative",
    height: int | None = None,
    text_auto: bool | str = False,
    category_orders: dict[str, list[str]] | None = None,
) -> go.Figure:
    kwargs = {}
    if color_map is not None:
        kwargs["color_discrete_map"] = color_map
    else:
        kwargs["color_discrete_sequence"] = theme.SEQUENCE
    fig = px.bar(
        frame,
        x=x,
        y=y,
        color=color,
        labels=labels,
        orientation=orientation,
        barmode=barmode,
        text_auto=text_auto,
        category_orders=category_orders or {},
        **kwargs,
    )
    style(fig, title, height, legend=color is not None or not isinstance(y, str))
    if orientation == "h":
        fig.update_yaxes(title=None)
    return fig


def rate_bars(frame: pd.DataFrame, *, rate: str, y: str, title: str, color: str, per_row: int) -> go.Figure:
    """Horizontal bars of a 0..1 rate shown as 0..100 % with the value on each bar."""
    shown = frame.assign(rate_pct=frame[rate].astype(float) * 100)
    fig = bar(
        shown,
        x="rate_pct",
        y=y,
        orientation="h",
        labels={"rate_pct": "Tỷ lệ tham dự (%)"},
        title=title,
        height=horizontal_height(len(shown), per_row),
    )
    fig.update_xaxes(range=[0, 105], ticksuffix="%")
    fig.update_traces(marker_color=color, texttemplate="%{x:.1f}%", textposition="inside")
    return fig


def horizontal_height(n_rows: int, per_row: int = 28, minimum: int = 260) -> int:
    return max(minimum, 90 + per_row * n_rows)


def status_grid(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    status: str,
    color_map: dict[str, str],
    order: list[str],
    labels: dict[str, str],
    title: str | None = None,
    hover: Sequence[str] = (),
    x_order: list[str] | None = None,
    y_order: list[str] | None = None,
) -> go.Figure:
    """A units x (tasks|months) grid of coloured squares, one colour per status."""
    n_y = max(1, frame[y].nunique())
    n_x = max(1, frame[x].nunique())
    fig = px.scatter(
        frame,
        x=x,
        y=y,
        color=status,
        color_discrete_map=color_map,
        category_orders={status: order, **({x: x_order} if x_order else {}), **({y: y_order} if y_order else {})},
        labels=labels,
        hover_data=list(hover),
    )
    size = max(10, min(26, int(900 / max(n_x, n_y))))
    fig.update_traces(marker={"symbol": "square", "size": size, "line": {"width": 0}})
    style(fig, title, height=max(300, 110 + 24 * n_y))
    # the x labels are on top, so the legend goes below the grid
    fig.update_layout(legend={"yanchor": "top", "y": -0.01})
    fig.update_xaxes(type="category", side="top", showgrid=False, title=None)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, title=None)
    return fig


def timeline(
    frame: pd.DataFrame,
    *,
    start: str,
    end: str,
    y: str,
    status: str,
    color_map: dict[str, str],
    order: list[str],
    labels: dict[str, str],
    hover: Sequence[str] = (),
    today=None,
    title: str | None = None,
) -> go.Figure:
    fig = px.timeline(
        frame,
        x_start=start,
        x_end=end,
        y=y,
        color=status,
        color_discrete_map=color_map,
        category_orders={status: order, y: list(dict.fromkeys(frame[y]))},
        labels=labels,
        hover_data=dict.fromkeys(hover, True),
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(tickformat="%d/%m/%Y", title=None, side="top")
    fig.update_traces(hovertemplate=None)
    if today is not None:
        stamp = pd.Timestamp(today)
        fig.add_shape(
            type="line", x0=stamp, x1=stamp, y0=0, y1=1, yref="paper", line={"color": "#333", "dash": "dot", "width": 1}
        )
        fig.add_annotation(
            x=stamp, y=1, yref="paper", text="Hôm nay", showarrow=False, yanchor="bottom", font={"size": 11}
        )
    return style(fig, title, height=max(320, 120 + 30 * frame[y].nunique()))


def line(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    labels: dict[str, str],
    color: str | None = None,
    title: str | None = None,
    markers: bool = True,
    category_orders: dict[str, list[str]] | None = None,
) -> go.Figure:
    fig = px.line(
        frame,
        x=x,
        y=y,
        color=color,
        labels=labels,
        markers=markers,
        color_discrete_sequence=theme.SEQUENCE,
        category_orders=category_orders or {},
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return style(fig, title)


def pie(
    frame: pd.DataFrame, *, names: str, values: str, labels: dict[str, str], title: str | None = None, color_map=None
):
    fig = px.pie(
        frame,
        names=names,
        values=values,
        labels=labels,
        hole=0.45,
        color=names if color_map else None,
        color_discrete_map=color_map or {},
        color_discrete_sequence=theme.SEQUENCE,
    )
    fig.update_traces(textinfo="percent", sort=False)
    return style(fig, title)
