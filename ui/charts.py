"""Plotly helpers: Vietnamese labels, 1.234,5 numbers, dd/mm/yyyy dates,
one colour per status (ui.theme), full-width charts."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from presentation import chart_text
from ui import theme
from ui.i18n import PLOTLY_LOCALE_CONFIG

PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    **PLOTLY_LOCALE_CONFIG,  # Vietnamese modebar tooltips and month names, carried in the config
}


def plain(text: object) -> str:
    """Text from an uploaded file made inert for Plotly, whose labels read HTML-like
    tags (``<b>``, ``<a href>``): the tags are escaped and show as typed."""
    return html.escape("" if text is None else str(text), quote=False)


@dataclass(frozen=True)
class Scale:
    """Type sizes (px) of one way of showing a chart."""

    title: int
    context: int  # the period · scope line under the title
    text: int  # ticks, legend, data labels
    axis_title: int


# No text under 14 px anywhere (issue 16: many readers are older officials).
SCREEN = Scale(title=18, context=14, text=14, axis_title=14)
# Read from the back of a meeting room: titles >= 40 px, labels >= 22 px at 1920x1080.
PRESENTATION = Scale(title=44, context=28, text=22, axis_title=24)
TEXT_COLOR = "#111418"
CONTEXT_COLOR = "#39424C"
FONT_FAMILY = '"Source Sans", "Source Sans Pro", Arial, sans-serif'  # Streamlit's own font, bundled


def scale(presentation: bool = False) -> Scale:
    return PRESENTATION if presentation else SCREEN


def style(
    fig: go.Figure,
    title: str | None = None,
    height: int | None = None,
    legend: bool = True,
    *,
    presentation: bool = False,
    context: str | None = None,
) -> go.Figure:
    """The app's look: Vietnamese separators, title (and its period/scope line), legend on top.
    ``presentation``: the big, high-contrast type of the meeting screens."""
    s = scale(presentation)
    fig.update_layout(
        separators=",.",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "xanchor": "left",
            "title": None,
            "font": {"size": s.text, **({"color": TEXT_COLOR} if presentation else {})},
        },
        showlegend=legend,
        hoverlabel={"namelength": -1, "font": {"size": max(13, s.text - 4)}},
        font={"family": FONT_FAMILY, "size": s.text, **({"color": TEXT_COLOR} if presentation else {})},
        meta={**_meta(fig), "presentation": presentation},
    )
    if title or context:
        titled(fig, title, context, presentation=presentation)
    if height:
        fig.update_layout(height=height)
    # 30.000 rather than 30k; category and date axes ignore these
    axis: dict[str, Any] = {"separatethousands": True, "exponentformat": "none", "tickfont": {"size": s.text}}
    axis["title"] = {"font": {"size": s.axis_title}}
    if presentation:  # black on white, light grid: Streamlit's theme greys the axes
        axis["tickfont"]["color"] = TEXT_COLOR
        axis["title"]["font"]["color"] = TEXT_COLOR
        axis.update(gridcolor="#D0D7DE", linecolor=TEXT_COLOR, zerolinecolor="#8C959F")
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    if presentation:
        for trace in fig.data:
            if "textfont" in trace:
                trace.textfont.size = s.text
    return fig


def _meta(fig: go.Figure) -> dict:
    meta = fig.layout.meta
    return dict(meta) if isinstance(meta, dict) else {}


def _is_presentation(fig: go.Figure) -> bool:
    return bool(_meta(fig).get("presentation"))


def titled(
    fig: go.Figure, title: str | None = None, context: str | None = None, *, presentation: bool | None = None
) -> go.Figure:
    """Write ``title`` (default: the figure's own) and, on a second line, the ``context``
    (period · scope) inside the figure, and make room for them above the plot, the legend
    and any axis labels drawn on top, so a full-screen view or a PNG download still says
    what it shows."""
    meta = _meta(fig)
    if presentation is None:
        presentation = bool(meta.get("presentation"))
    s = scale(presentation)
    current = fig.layout.title
    if title is None:
        title = meta.get("title") or (current.text if current and current.text else "")
    if context is None:
        context = meta.get("context") or ""
    text = title
    if context:
        text += (
            f"<br><span style='font-size:{s.context}px;font-weight:400;color:{CONTEXT_COLOR}'>{plain(context)}</span>"
        )
    pad = 6 if not presentation else 10
    fig.update_layout(
        title={
            "text": text,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            # plotly centres a two-line title on its anchor: push it down by half a line
            "pad": {"l": 10, "t": pad + (round(s.title * 0.65) if context else 0)},
            "font": {"size": s.title, "color": TEXT_COLOR, "family": FONT_FAMILY, "weight": 700},
        },
        meta={**meta, "presentation": presentation, "title": title, "context": context},
    )
    lines = s.title * 1.35 + (s.context * 1.55 if context else 0)
    top = pad + round(lines) + (10 if presentation else 6)
    legend = fig.layout.legend
    legend_shown = fig.layout.showlegend if fig.layout.showlegend is not None else len(fig.data) > 1
    if legend_shown and legend.y is not None and legend.y >= 1:  # a legend row above the plot
        top += round(s.text * 1.9)
    if fig.layout.xaxis.side == "top":  # tick labels above the plot
        top += round(s.text * 2.2)
    above = [a for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) >= 1 and a.yanchor == "bottom"]
    if above:  # notes written just above the plot (e.g. a total)
        top += round(max((a.font.size or s.text) for a in above) * 1.5)
    fig.update_layout(margin={"t": top})
    return fig


def integer_axis(fig: go.Figure, max_value: float, axis: str = "x") -> go.Figure:
    """Counts never get 0,5 ticks."""
    if max_value <= 10:
        (fig.update_xaxes if axis == "x" else fig.update_yaxes)(dtick=1, tick0=0)
    return fig


def show(
    fig: go.Figure,
    key: str | None = None,
    *,
    context: str | None = None,
    title: str | None = None,
    height: int | str | None = None,
) -> None:
    """Draw full width, with the chart's title and the view's period and scope inside the figure
    (``context``: the line to write; default the current view's, from the sidebar filters)."""
    if context is None:
        from ui import context as view  # noqa: PLC0415 - the filters are drawn before any chart

        context = view.line()
    titled(fig, title, context)
    kwargs: dict[str, Any] = {"height": height} if height is not None else {}
    # on a meeting screen the toolbar would only cover the title when the mouse rests there
    presenting = _is_presentation(fig)
    config: dict[str, Any] = {**PLOTLY_CONFIG, "displayModeBar": False} if presenting else PLOTLY_CONFIG
    st.plotly_chart(fig, width="stretch", config=config, key=key, **kwargs)
    if not presenting:  # meeting screens carry no widgets; everywhere else the chart is also said in words
        describe(fig)


def describe(fig: go.Figure) -> None:
    """The chart's main reading in one sentence, and its numbers as a table (issue 16): what a
    screen reader or a reader who cannot tell the colours apart gets from the chart."""
    st.markdown(f'<p class="chart-summary">{html.escape(chart_text.figure_summary(fig))}</p>', unsafe_allow_html=True)
    with st.expander("Số liệu của biểu đồ"):
        st.dataframe(chart_text.figure_table(fig), hide_index=True, width="stretch")


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
    presentation: bool = False,
) -> go.Figure:
    kwargs: dict[str, Any] = {}
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
    style(fig, title, height, legend=color is not None or not isinstance(y, str), presentation=presentation)
    if orientation == "h":
        fig.update_yaxes(title=None)
    return fig


def rate_bars(
    frame: pd.DataFrame, *, rate: str, y: str, title: str, color: str, per_row: int, presentation: bool = False
) -> go.Figure:
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
        presentation=presentation,
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
    presentation: bool = False,
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
    style(fig, title, height=max(300, 110 + 24 * n_y), presentation=presentation)
    # the x labels are on top, so the legend goes below the grid
    fig.update_layout(legend={"yanchor": "top", "y": -0.01})
    fig.update_xaxes(type="category", side="top", showgrid=False, title=None)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, title=None)
    return fig


def mark_not_reported(fig: go.Figure, name: str) -> go.Figure:
    """On a status grid: draw the "not reported" squares hollow with a dark edge, so that they read
    apart from a blank (not assigned) cell on a white plot."""
    fig.update_layout(plot_bgcolor="white")
    fig.update_traces(selector={"name": name}, marker={"color": "white", "line": {"width": 1.5, "color": "#5B6770"}})
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
    presentation: bool = False,
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
            x=stamp, y=0, yref="paper", text="Hôm nay", showarrow=False, yanchor="top", font={"size": scale().text}
        )
    style(fig, title, height=max(320, 120 + 30 * frame[y].nunique()), presentation=presentation)
    # the dates are on top, so the legend goes below the bars
    fig.update_layout(legend={"yanchor": "top", "y": -0.06 if today is not None else -0.01})
    if presentation:
        fig.update_annotations(font_size=scale(True).text)
    return fig


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
    presentation: bool = False,
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
    if presentation:
        fig.update_traces(line_width=5, marker_size=14)
    return style(fig, title, presentation=presentation)


def pie(
    frame: pd.DataFrame,
    *,
    names: str,
    values: str,
    labels: dict[str, str],
    title: str | None = None,
    color_map=None,
    presentation: bool = False,
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
    return style(fig, title, presentation=presentation)
