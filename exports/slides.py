"""The review meeting's deck (.pptx, 16:9) with native, editable charts.

Every chart is a python-pptx chart (its numbers live in the embedded
workbook, so the office can restyle or correct it in PowerPoint).  Text is
at least 18 pt so that it reads at a distance; a status has the same colour
as on the dashboard (``exports.theme`` takes them from ``ui.theme``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_PATTERN
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from exports import theme
from exports.data import ReportData, collect
from exports.format import (
    NO_DATA,
    change_text,
    channel_label,
    compliance_label,
    fmt_date,
    fmt_int,
    fmt_pct,
    participant_label,
    short_period,
    status_label,
)
from storage.figures import FIGURES, compare, coverage_text, month_end

W, H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
MIN_PT = 18
TITLE_PT = 32

SLIDE_TITLES = (
    "Kết quả quán triệt, tuyên truyền và triển khai thực hiện Nghị quyết 05-NQ/TU",
    "Số liệu chính",
    "Tiến độ thực hiện nhiệm vụ",
    "Nhiệm vụ quá hạn",
    "Tuyên truyền theo hình thức",
    "Tuyên truyền theo thời gian",
    "Tỷ lệ tham dự học tập, quán triệt theo thành phần",
    "Tình hình nộp báo cáo của các đơn vị",
    "Khó khăn, vướng mắc",
)
MAX_TABLE_ROWS = 7
MAX_OBSTACLES = 6


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color)


# ---------------------------------------------------------------- primitives


def _text(slide, x, y, w, h, text: str, size: int = MIN_PT, bold: bool = False, color: str = theme.TEXT,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):  # fmt: skip
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    lines = text.split("\n")
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = theme.SLIDE_FONT
        run.font.color.rgb = _rgb(color)
    return box


def _slide(prs, title: str, data: ReportData):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    t = slide.shapes.title
    t.left, t.top, t.width, t.height = MARGIN, Inches(0.25), W - 2 * MARGIN, Inches(0.9)
    t.text = title
    p = t.text_frame.paragraphs[0]
    p.alignment = PP_ALIGN.LEFT
    for run in p.runs:
        run.font.size = Pt(TITLE_PT)
        run.font.bold = True
        run.font.name = theme.SLIDE_FONT
        run.font.color.rgb = _rgb(theme.PRIMARY)
    bar = slide.shapes.add_shape(1, MARGIN, Inches(1.15), W - 2 * MARGIN, Emu(Inches(0.04)))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(theme.PRIMARY)
    bar.line.fill.background()
    _text(slide, MARGIN, H - Inches(0.55), W - 2 * MARGIN, Inches(0.45), data.scope, size=MIN_PT, color=theme.MUTED)
    return slide


def _empty(slide, text: str = NO_DATA + " trong phạm vi đã chọn.") -> None:
    _text(slide, MARGIN, Inches(3.0), W - 2 * MARGIN, Inches(1.2), text, size=28, color=theme.MUTED,
          align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)  # fmt: skip


def _style_chart(chart, legend: bool = True, number_format: str | None = None, labels: bool = True) -> None:
    chart.font.size = Pt(MIN_PT)
    chart.font.name = theme.SLIDE_FONT
    chart.has_title = False  # the slide title says it
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(MIN_PT)
    if labels:
        plot = chart.plots[0]
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.font.size = Pt(MIN_PT)
        if number_format:
            dl.number_format = number_format
            dl.number_format_is_linked = False
    try:
        chart.value_axis.tick_labels.font.size = Pt(MIN_PT)
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("DDDDDD")
        chart.category_axis.tick_labels.font.size = Pt(MIN_PT)
        if number_format:
            chart.value_axis.tick_labels.number_format = number_format
            chart.value_axis.tick_labels.number_format_is_linked = False
    except (AttributeError, ValueError):
        pass


def _color_series(chart, colors: Sequence[str]) -> None:
    for series, color in zip(chart.plots[0].series, colors, strict=False):
        fill = series.format.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(color)
        series.format.line.color.rgb = _rgb(color)


def _chart(slide, kind, chart_data, top=Inches(1.35), height=None):
    height = height or (H - top - Inches(0.7))
    return slide.shapes.add_chart(kind, MARGIN, top, W - 2 * MARGIN, height, chart_data).chart


def _table(slide, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_in: Sequence[float], top=Inches(1.4)):
    shape = slide.shapes.add_table(
        len(rows) + 1, len(headers), MARGIN, top, W - 2 * MARGIN, Inches(0.5) * (len(rows) + 1)
    )
    table = shape.table
    for i, w in enumerate(widths_in):
        table.columns[i].width = Inches(w)
    for r, values in enumerate([headers, *rows]):
        for c, v in enumerate(values):
            cell = table.cell(r, c)
            cell.text = str(v)
            for p in cell.text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(MIN_PT)
                    run.font.bold = r == 0
                    run.font.name = theme.SLIDE_FONT
            cell.margin_top = cell.margin_bottom = Inches(0.04)
    return table


# ---------------------------------------------------------------- slides


def _title_slide(prs, data: ReportData) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    band = slide.shapes.add_shape(1, 0, 0, W, Inches(0.35))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(theme.PRIMARY)
    band.line.fill.background()
    _text(slide, MARGIN, Inches(0.7), W - 2 * MARGIN, Inches(0.6), f"{data.settings.issuing_body} – ĐẢNG ỦY PHƯỜNG", size=24,
          bold=True, color=theme.ACCENT, align=PP_ALIGN.CENTER)  # fmt: skip
    _text(slide, Inches(1), Inches(2.0), W - Inches(2), Inches(2.2), SLIDE_TITLES[0].upper(), size=40, bold=True,
          color=theme.PRIMARY, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)  # fmt: skip
    _text(slide, MARGIN, Inches(4.5), W - 2 * MARGIN, Inches(0.6), data.scope, size=24, align=PP_ALIGN.CENTER)
    _text(slide, MARGIN, Inches(5.3), W - 2 * MARGIN, Inches(0.6),
          f"Hội nghị Ban Thường vụ Đảng ủy phường – số liệu đến ngày {fmt_date(data.today)}", size=20,
          color=theme.MUTED, align=PP_ALIGN.CENTER)  # fmt: skip


def headline_cards(h: dict[str, Any], p: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """(label, value, change against the previous range) of the six headline figures; ``h``
    is ``storage.queries.headline`` (with its "previous"; ``p`` is kept for callers and unused).
    Labels and the rules for showing a change come from ``storage.figures``."""

    def card(key: str, value: str, prefix: str = "") -> tuple[str, str, str]:
        return FIGURES[key].label, value, prefix + change_text(key, h, with_note=False)

    return [
        card("done_share", f"{fmt_int(h.get('tasks_done'))}/{fmt_int(h.get('tasks_total'))}",
             f"{fmt_pct(h.get('done_share'))} – "),
        card("tasks_overdue", fmt_int(h.get("tasks_overdue"))),
        card("propaganda_quantity", fmt_int(h.get("propaganda_quantity"))),
        card("propaganda_reach", fmt_int(h.get("propaganda_reach"))),
        card("attendance_rate", fmt_pct(h.get("attendance_rate"))),
        card("on_time_share", fmt_pct(h.get("on_time_share"))),
    ]  # fmt: skip


def _headline_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[1], data)
    cards = headline_cards(data.headline, data.previous)
    h = data.headline
    if h.get("open") and h.get("reports_expected"):
        _text(slide, MARGIN, Inches(1.2), W - 2 * MARGIN, Inches(0.45),
              f"Kỳ chưa khép lại: {coverage_text(h)}; số liệu còn tăng, chưa so sánh với kỳ trước.", size=MIN_PT,
              color=theme.MUTED)  # fmt: skip
    elif compare("propaganda_quantity", h).note:
        _text(slide, MARGIN, Inches(1.2), W - 2 * MARGIN, Inches(0.45),
              f"So với kỳ trước cùng độ dài; {compare('propaganda_quantity', h).note}.", size=MIN_PT,
              color=theme.MUTED)  # fmt: skip
    cw, ch = Inches(3.9), Inches(2.5)
    gap_x = (W - 2 * MARGIN - 3 * cw) / 2
    for i, (label, value, change) in enumerate(cards):
        x = MARGIN + (i % 3) * (cw + gap_x)
        y = Inches(1.62) + (i // 3) * (ch + Inches(0.2))
        box = slide.shapes.add_shape(1, x, y, cw, ch)
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("F5F7FA")
        box.line.color.rgb = _rgb("D0D7DE")
        _text(slide, x + Inches(0.1), y + Inches(0.08), cw - Inches(0.2), Inches(0.45), label, size=MIN_PT, bold=True,
              color=theme.ACCENT)  # fmt: skip
        _text(slide, x + Inches(0.1), y + Inches(0.6), cw - Inches(0.2), Inches(1.0), value, size=48, bold=True,
              color=theme.PRIMARY, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)  # fmt: skip
        _text(slide, x + Inches(0.1), y + Inches(1.65), cw - Inches(0.2), Inches(0.8), change, size=MIN_PT,
              color=theme.MUTED, align=PP_ALIGN.CENTER)  # fmt: skip


def task_status_counts(data: ReportData) -> pd.DataFrame:
    """Per task: units done / in progress / not started / not reported (latest report of each unit)."""
    cols = ["done", "in_progress", "not_started", "no_report"]
    t = data.tasks
    if t.empty:
        return pd.DataFrame(columns=cols, dtype="int64")
    grid = data.extra.get("task_unit_grid")
    out = pd.DataFrame(0, index=t["task_code"].astype(str), columns=cols, dtype="int64")
    if grid is not None and not grid.empty:
        g = grid.dropna(subset=["status"])
        if "role" in g.columns:
            g = g[g["role"].notna()]  # assigned units only (their count is units_assigned)
        g = g.copy()
        g["period"] = g["period"].astype(str)
        g = g.sort_values("period").drop_duplicates(["task_code", "unit_code"], keep="last")
        counts = pd.crosstab(g["task_code"].astype(str), g["status"].astype(str))
        for c in ("done", "in_progress", "not_started"):
            if c in counts.columns:
                out[c] = counts[c].reindex(out.index, fill_value=0).astype("int64")
    assigned = pd.to_numeric(t.set_index(t["task_code"].astype(str))["units_assigned"], errors="coerce").fillna(0)
    reported = out[["done", "in_progress", "not_started"]].sum(axis=1)
    out["no_report"] = (assigned.reindex(out.index).fillna(0).astype("int64") - reported).clip(lower=0)
    return out


def _tasks_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[2], data)
    counts = task_status_counts(data)
    if counts.empty:
        _empty(slide)
        return
    cd = CategoryChartData(number_format="#,##0")
    cd.categories = list(counts.index)
    keys = [k for k in ("done", "in_progress", "not_started", "no_report") if counts[k].sum() > 0] or ["done"]
    for k in keys:
        cd.add_series(status_label(k), [int(v) for v in counts[k]])
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, cd, height=Inches(5.0))
    _style_chart(chart, labels=False)
    chart.plots[0].gap_width = 40
    _color_series(chart, [theme.STATUS_COLORS[k] for k in keys])
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "Số đơn vị"
    chart.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(MIN_PT)


def _short(text: Any, limit: int) -> str:
    s = str(text or "")
    return s if len(s) <= limit else s[: limit - 1].rsplit(" ", 1)[0] + "…"


def _overdue_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[3], data)
    od = data.overdue
    if od.empty:
        _empty(slide, f"Không có nhiệm vụ quá hạn tính đến ngày {fmt_date(data.as_of)}.")
        return
    od = od.sort_values("days_overdue", ascending=False)
    rows = [
        [str(r["task_code"]), _short(r["task"], 85), fmt_date(r.get("due_date")), fmt_int(r.get("days_overdue")),
         status_label(r.get("status"))]
        for r in od.head(MAX_TABLE_ROWS).to_dict("records")
    ]  # fmt: skip
    _table(slide, ["Mã", "Nhiệm vụ", "Thời hạn", "Số ngày quá hạn", "Tình trạng"], rows, [1.0, 6.63, 1.6, 1.6, 1.5])
    if len(od) > MAX_TABLE_ROWS:
        _text(slide, MARGIN, H - Inches(1.1), W - 2 * MARGIN, Inches(0.5),
              f"… và {fmt_int(len(od) - MAX_TABLE_ROWS)} nhiệm vụ khác (xem tệp Excel, trang “Nhiệm vụ quá hạn”).",
              size=MIN_PT, color=theme.MUTED)  # fmt: skip


def _channel_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[4], data)
    ch = data.propaganda_by_channel
    if ch.empty:
        _empty(slide)
        return
    ch = ch.sort_values("quantity", ascending=True)  # bar charts draw bottom-up
    cd = CategoryChartData(number_format="#,##0")
    cd.categories = [channel_label(c) for c in ch["channel"]]
    cd.add_series("Số lượng", [int(v) for v in ch["quantity"]])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cd, top=Inches(1.85))
    _style_chart(chart, legend=False, number_format="#,##0")
    chart.plots[0].gap_width = 50
    _color_series(chart, [FIGURES["propaganda_quantity"].color.lstrip("#")])
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _text(slide, W - Inches(5.5), Inches(1.25), Inches(5.0), Inches(0.5),
          f"Tổng cộng: {fmt_int(data.propaganda_quantity)}", size=22, bold=True, color=theme.ACCENT,
          align=PP_ALIGN.RIGHT)  # fmt: skip


def _lighter(hex_color: str, amount: float = 0.55) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{int(c + (255 - c) * amount):02X}" for c in (r, g, b))


def _mark_points(series, color: str, selected: Sequence[bool], still_open: Sequence[bool]) -> None:
    """Per column: full colour for the chosen period, lighter for the others, hatched while open."""
    for i, (sel, opened) in enumerate(zip(selected, still_open, strict=True)):
        fill = series.points[i].format.fill
        shade = color if sel else _lighter(color)
        if opened:
            fill.patterned()
            fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
            fill.fore_color.rgb = _rgb(shade)
            fill.back_color.rgb = _rgb("FFFFFF")
        else:
            fill.solid()
            fill.fore_color.rgb = _rgb(shade)


def _window_note(slide, rows: list[dict]) -> None:
    chosen = [r["label"] for r in rows if r.get("selected")]
    parts = [f"Kỳ đang xem: {', '.join(chosen)} (cột đậm)"] if chosen else []
    parts += [
        f"{r['label']} chưa khép lại: {coverage_text(r)} (cột gạch chéo)"
        for r in rows
        if r.get("open") and r.get("reports_received")
    ]
    if parts:
        _text(slide, MARGIN, Inches(1.25), W - 2 * MARGIN, Inches(0.5), "; ".join(parts) + ".", size=MIN_PT,
              color=theme.MUTED)  # fmt: skip


def _period_slide(prs, data: ReportData) -> None:
    """Propaganda per period of the window ending at the chosen period (12 months, 4 quarters or
    the years): one column each, the chosen period full colour, a period still open hatched."""
    slide = _slide(prs, SLIDE_TITLES[5], data)
    tr = data.trend
    if tr.empty or not int(tr["reports_received"].sum()):
        _empty(slide)
        return
    rows = tr.to_dict("records")
    cd = CategoryChartData(number_format="#,##0")
    cd.categories = [str(r["label"]) for r in rows]
    values = [None if pd.isna(r["propaganda_quantity"]) else int(r["propaganda_quantity"]) for r in rows]
    cd.add_series(FIGURES["propaganda_quantity"].label, values)
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cd, top=Inches(1.8), height=H - Inches(2.5))
    _style_chart(chart, legend=False, number_format="#,##0")
    chart.plots[0].gap_width = 40
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.value_axis.minimum_scale = 0  # columns start at zero
    color = FIGURES["propaganda_quantity"].color.lstrip("#")
    _color_series(chart, [color])
    _mark_points(chart.plots[0].series[0], color, [bool(r["selected"]) for r in rows],
                 [bool(r["open"]) and v is not None for r, v in zip(rows, values, strict=True)])  # fmt: skip
    _window_note(slide, rows)


def _attendance_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[6], data)
    g = data.attendance_by_group
    if g.empty:
        _empty(slide)
        return
    g = g.sort_values("rate", ascending=True)
    cd = CategoryChartData(number_format="0.0%")
    cd.categories = [participant_label(k) for k in g["participant_group"]]
    cd.add_series("Tỷ lệ tham dự", [float(v) if pd.notna(v) else 0.0 for v in g["rate"]])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cd, top=Inches(1.85))
    _style_chart(chart, legend=False, number_format="0%")
    chart.plots[0].data_labels.number_format = "0.0%"
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.plots[0].gap_width = 50
    chart.value_axis.maximum_scale = 1.0
    chart.value_axis.minimum_scale = 0.0
    _color_series(chart, [theme.PRESENT_COLOR])
    inv, pre = data.attendance_invited, data.attendance_present
    _text(slide, W - Inches(7.5), Inches(1.25), Inches(7.0), Inches(0.5),
          f"Chung: {fmt_int(pre)}/{fmt_int(inv)} người có mặt ({fmt_pct(pre / inv if inv else None)})", size=22,
          bold=True, color=theme.ACCENT, align=PP_ALIGN.RIGHT)  # fmt: skip


def _compliance_slide(prs, data: ReportData) -> None:
    """Reports per month over the 12 months (at least) ending at the range's end: the range's
    months full colour, the others lighter; a month still open hatched."""
    slide = _slide(prs, SLIDE_TITLES[7], data)
    comp = data.extra.get("compliance_window")
    if comp is None or comp.empty:
        comp = data.compliance
    if comp.empty:
        _empty(slide)
        return
    cols = ["on_time", "late", "missing", "not_due"]
    counts = pd.crosstab(comp["period"].astype(str), comp["status"].astype(str))
    counts = counts.reindex(columns=cols, fill_value=0).sort_index().astype("int64")
    keys = ["on_time", "late", "missing"] + (["not_due"] if counts["not_due"].sum() else [])
    cd = CategoryChartData(number_format="#,##0")
    cd.categories = [short_period(p) for p in counts.index]
    for k in keys:
        cd.add_series(compliance_label(k), [int(v) for v in counts[k]])
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, cd, top=Inches(1.8), height=H - Inches(2.5))
    _style_chart(chart, number_format="#,##0")
    chart.plots[0].data_labels.number_format = "#,##0;-#,##0;;"  # no label on an empty segment
    chart.plots[0].gap_width = 60
    lo, hi = data.filters.period_from, data.filters.period_to
    selected = [(lo is None or p >= lo) and (hi is None or p <= hi) for p in counts.index]
    still_open = [data.today <= month_end(p) for p in counts.index]
    _color_series(chart, [theme.COMPLIANCE_COLORS[k] for k in keys])  # the legend's colours
    for series, k in zip(chart.plots[0].series, keys, strict=True):
        _mark_points(series, theme.COMPLIANCE_COLORS[k], selected, still_open)
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "Số đơn vị"
    chart.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(MIN_PT)
    rows = []
    for p, opened in zip(counts.index, still_open, strict=True):
        c = comp[comp["period"].astype(str) == p]
        got = int(c["submitted_at"].notna().sum())
        rows.append({"label": short_period(p), "selected": False, "open": opened, "reports_received": got,
                     "reports_expected": len(c), "months": 1})  # fmt: skip
    chosen = [short_period(p) for p, sel in zip(counts.index, selected, strict=True) if sel]
    note_rows = rows + ([{"label": f"{chosen[0]}–{chosen[-1]}" if len(chosen) > 1 else chosen[0], "selected": True}]
                        if chosen else [])  # fmt: skip
    _window_note(slide, note_rows)


def _obstacles_slide(prs, data: ReportData) -> None:
    slide = _slide(prs, SLIDE_TITLES[8], data)
    ob = data.obstacles
    if ob.empty:
        _empty(slide, "Các đơn vị không báo cáo khó khăn, vướng mắc trong phạm vi đã chọn.")
        return
    ob = ob.copy()
    ob["_open"] = ~ob["handled"].fillna(False).astype(bool)
    ob = ob.sort_values(["_open", "period"], ascending=[False, False])
    box = slide.shapes.add_textbox(MARGIN, Inches(1.4), W - 2 * MARGIN, H - Inches(2.2))
    tf = box.text_frame
    tf.word_wrap = True
    for i, r in enumerate(ob.head(MAX_OBSTACLES).to_dict("records")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.space_after = Pt(8)
        head = p.add_run()
        head.text = f"• {r['unit_name']}" + (f" ({r['task_code']})" if r.get("task_code") else "") + ": "
        head.font.bold = True
        body = p.add_run()
        body.text = _short(r["text"], 160) + ("" if r["_open"] else " (đã xử lý)")
        for run in (head, body):
            run.font.size = Pt(20)
            run.font.name = theme.SLIDE_FONT
            run.font.color.rgb = _rgb(theme.TEXT)
    if len(ob) > MAX_OBSTACLES:
        p = tf.add_paragraph()
        run = p.add_run()
        run.text = (
            f"… và {fmt_int(len(ob) - MAX_OBSTACLES)} nội dung khác (xem tệp Excel, trang “Khó khăn, vướng mắc”)."
        )
        run.font.size = Pt(MIN_PT)
        run.font.italic = True
        run.font.color.rgb = _rgb(theme.MUTED)


def write_deck(data: ReportData) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    _title_slide(prs, data)
    _headline_slide(prs, data)
    _tasks_slide(prs, data)
    _overdue_slide(prs, data)
    _channel_slide(prs, data)
    _period_slide(prs, data)
    _attendance_slide(prs, data)
    _compliance_slide(prs, data)
    _obstacles_slide(prs, data)
    prs.core_properties.title = SLIDE_TITLES[0]
    prs.core_properties.author = data.settings.committee
    prs.core_properties.language = "vi-VN"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def build_deck(engine: Any, filters: Any, today: dt.date) -> bytes:
    """The .pptx for the filters, as bytes."""
    return write_deck(collect(engine, filters, today))
