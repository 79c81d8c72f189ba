"""The written report (.docx) in the Vietnamese administrative style.

A4, margins top/bottom 2 cm, left 3 cm, right 1,5 cm; Times New Roman 14 pt
for the text and 13 pt in tables; the header block (issuing body left,
"ĐẢNG CỘNG SẢN VIỆT NAM" right, place and date), the title, sections I–VI
and the "Nơi nhận" / signature block.  Section VI is left for the Party
Committee Office to write: the document says so in a highlighted paragraph.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from exports import theme
from exports.data import ReportData, collect
from exports.format import (
    NO_DATA,
    channel_label,
    compliance_label,
    fmt_date,
    fmt_int,
    fmt_pct,
    long_date,
    participant_label,
    period_label,
    period_short,
    status_label,
    topic_label,
)
from storage.figures import FIGURES, coverage_text

TITLE = "BÁO CÁO"
SUBTITLE = "Kết quả quán triệt, tuyên truyền và triển khai thực hiện Nghị quyết 05-NQ/TU"
SECTIONS = (
    "I. KẾT QUẢ QUÁN TRIỆT, HỌC TẬP",
    "II. CÔNG TÁC TUYÊN TRUYỀN",
    "III. TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ",
    "IV. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
    "V. KHÓ KHĂN, VƯỚNG MẮC",
    "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
)
PLACEHOLDER = (
    "[Phần này để Văn phòng Đảng ủy soạn thảo: phương hướng, nhiệm vụ trọng tâm thời gian tới "
    "và đề xuất, kiến nghị. Hệ thống không tự sinh nội dung này.]"
)
BODY_PT = 14
TABLE_PT = 13
TEXT_WIDTH_CM = 16.5  # 21 - 3 - 1,5


# ---------------------------------------------------------------- low level


def _font(run, size: float = BODY_PT, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    run.font.name = theme.FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    run.underline = underline
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), theme.FONT)


def _para(
    container,
    text: str = "",
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    space_after: float = 6,
):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = 1.15
    if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        fmt.first_line_indent = Cm(1.0)
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _cell_text(cell, text: str, size: float = TABLE_PT, bold: bool = False, italic: bool = False, align=None) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), size, bold, italic)


def _shade(cell, hex_color: str) -> None:
    tc_pr = cell._element.get_or_add_tcPr()
    shd = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): hex_color})
    tc_pr.append(shd)


def _table(doc, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_cm: Sequence[float], numeric: set[int]):
    """A bordered table; ``numeric`` column indexes are right-aligned."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, h in enumerate(headers):
        cell = table.rows[0].cells[i]
        _cell_text(cell, h, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, theme.HEADER_FILL)
    for values in rows:
        cells = table.add_row().cells
        last = values is rows[-1] and str(values[0]).startswith("Tổng")
        for i, v in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.LEFT
            if i == 0 and headers[0] == "STT":
                align = WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(cells[i], str(v), bold=last, align=align)
    for i, w in enumerate(widths_cm):
        table.columns[i].width = Cm(w)  # the grid (LibreOffice reads this)
        for cell in table.columns[i].cells:
            cell.width = Cm(w)  # the cells (Word reads these)
    for row in table.rows:  # a row never breaks across two pages
        row_pr = row._tr.get_or_add_trPr()
        row_pr.append(row_pr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))
    # repeat the header row on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    _para(doc, "", space_after=4)
    return table


def _no_border(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(borders.makeelement(qn(f"w:{edge}"), {qn("w:val"): "nil"}))
    tbl_pr.append(borders)


def _centered(cell, lines: Sequence[tuple[str, dict]]) -> None:
    cell.text = ""
    for i, (text, style) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = style.get("align", WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_after = Pt(0)
        _font(
            p.add_run(text),
            style.get("size", 13),
            style.get("bold", False),
            style.get("italic", False),
            style.get("underline", False),
        )


# ---------------------------------------------------------------- document parts


def _page(doc) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Cm(21), Cm(29.7)
    s.top_margin, s.bottom_margin = Cm(2), Cm(2)
    s.left_margin, s.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = theme.FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), theme.FONT)


def _two_cells(doc, left_cm: float, right_cm: float):
    """A borderless one-row table of two cells of fixed widths (header and signature blocks)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_border(table)
    left, right = table.rows[0].cells
    for col, w in zip(table.columns, (left_cm, right_cm), strict=True):
        col.width = Cm(w)
    left.width, right.width = Cm(left_cm), Cm(right_cm)
    return left, right


def _header_block(doc, data: ReportData) -> None:
    left, right = _two_cells(doc, 7.8, 8.7)
    _centered(
        left,
        [
            (data.settings.issuing_body, {"size": 13}),
            ("ĐẢNG ỦY PHƯỜNG", {"size": 14, "bold": True}),
            ("*", {"size": 14}),
            ("Số:      -BC/ĐU", {"size": 14}),
        ],
    )
    _centered(
        right,
        [
            ("ĐẢNG CỘNG SẢN VIỆT NAM", {"size": 15, "bold": True, "underline": True}),
            ("", {}),
            (long_date(data.today, data.settings.ward_name), {"size": 14, "italic": True}),
        ],
    )
    _para(doc, "", space_after=6)
    _para(doc, TITLE, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, SUBTITLE, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, f"({data.scope})", size=14, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "-----", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(
        doc,
        "Thực hiện Kế hoạch của Ban Thường vụ Đảng ủy phường về tổ chức quán triệt, tuyên truyền và triển "
        "khai thực hiện Nghị quyết 05-NQ/TU của Ban Chấp hành Đảng bộ thành phố, trên cơ sở báo cáo của "
        f"các đơn vị (số liệu tổng hợp đến ngày {fmt_date(data.today)}), Đảng ủy phường báo cáo kết quả như sau:",
    )


def _trend(doc, data: ReportData) -> None:
    """The main figures per period of the window ending at the period reported on (the same window
    as the dashboard's charts): the period reported on in bold, a period still open says so."""
    tr = data.trend
    if tr.empty or not int(tr["reports_received"].sum()):
        return
    h = data.headline
    if h.get("open") and h.get("reports_expected"):
        _para(
            doc,
            f"Lưu ý: kỳ báo cáo chưa khép lại ({coverage_text(h)}); số liệu kỳ này còn tăng khi các đơn vị "
            "gửi báo cáo, nên báo cáo không so sánh với kỳ trước.",
            italic=True,
        )
    _para(doc, "Diễn biến các chỉ tiêu chính qua các kỳ (kỳ báo cáo in đậm):", indent=True)
    keys = ("done_share", "propaganda_quantity", "attendance_rate", "on_time_share")
    rows = []
    for r in tr.to_dict("records"):
        got = f"{int(r.get('reports_received') or 0)}/{int(r.get('reports_expected') or 0)}"
        if not r.get("reports_received"):
            state = "chưa có báo cáo"
        elif r.get("open"):
            state = f"{got}, chưa khép lại"
        else:
            state = got
        values = [fmt_pct(r[k]) if FIGURES[k].kind == "share" else fmt_int(r[k]) for k in keys]
        rows.append([str(r["label"]), *values, state])
    table = _table(
        doc,
        ["Kỳ", *(FIGURES[k].label for k in keys), "Báo cáo đã nhận / phải nộp"],
        rows,
        [2.7, 2.5, 2.5, 2.3, 2.5, 4.0],
        numeric={1, 2, 3, 4},
    )
    for i, r in enumerate(tr.to_dict("records"), start=1):
        if r.get("selected"):
            for cell in table.rows[i].cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.bold = True


def _heading(doc, text: str) -> None:
    _para(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6)


def _section_attendance(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[0])
    if not data.has_attendance:
        _para(doc, f"{NO_DATA} về hội nghị, học tập, quán triệt trong phạm vi đã chọn.")
        return
    ev = data.attendance_events
    n_events = int(ev[["unit_code", "event", "event_date"]].drop_duplicates().shape[0]) if not ev.empty else 0
    inv, pre = data.attendance_invited, data.attendance_present
    rate = pre / inv if inv else None
    _para(
        doc,
        f"Các đơn vị báo cáo {fmt_int(n_events)} hội nghị, buổi nghiên cứu, học tập, quán triệt; tổng số "
        f"{fmt_int(inv)} lượt người được triệu tập, {fmt_int(pre)} lượt người có mặt, đạt tỷ lệ {fmt_pct(rate)}.",
    )
    g = data.attendance_by_group
    if not g.empty:
        _para(doc, "Kết quả tham dự theo thành phần:", indent=True)
        rows = [
            [
                participant_label(r["participant_group"]),
                fmt_int(r["invited"]),
                fmt_int(r["present"]),
                fmt_int(r.get("absent_excused")),
                fmt_int(r.get("absent_unexcused")),
                fmt_pct(r["rate"]),
            ]
            for r in g.to_dict("records")
        ]
        rows.append(
            [
                "Tổng cộng",
                fmt_int(inv),
                fmt_int(pre),
                fmt_int(g["absent_excused"].fillna(0).sum()),
                fmt_int(g["absent_unexcused"].fillna(0).sum()),
                fmt_pct(rate),
            ]
        )
        _table(
            doc,
            ["Thành phần", "Triệu tập", "Có mặt", "Vắng có lý do", "Vắng không lý do", "Tỷ lệ"],
            rows,
            [6.0, 2.1, 2.0, 2.2, 2.2, 2.0],
            numeric={1, 2, 3, 4, 5},
        )


def _section_propaganda(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[1])
    if not data.has_propaganda:
        _para(doc, f"{NO_DATA} về công tác tuyên truyền trong phạm vi đã chọn.")
        return
    q_total, r_total = data.propaganda_quantity, data.propaganda_reach
    ch = data.propaganda_by_channel.sort_values("quantity", ascending=False)
    top = ch.iloc[0]
    _para(
        doc,
        f"Tổng số {fmt_int(q_total)} tin, bài, buổi tuyên truyền (theo đơn vị tính của từng hình thức) với "
        f"{fmt_int(r_total)} lượt người tham dự, tiếp cận. Hình thức được sử dụng nhiều nhất là "
        f"“{channel_label(top['channel'])}” ({fmt_int(top['quantity'])}).",
    )
    _para(doc, "1. Theo hình thức tuyên truyền:", indent=True)
    rows = [[channel_label(r["channel"]), fmt_int(r["quantity"]), fmt_int(r["reach"])] for r in ch.to_dict("records")]
    rows.append(["Tổng cộng", fmt_int(q_total), fmt_int(r_total)])
    _table(doc, ["Hình thức tuyên truyền", "Số lượng", "Lượt tham dự, tiếp cận"], rows, [9.5, 3.0, 4.0], {1, 2})
    tp = data.propaganda_by_topic.sort_values("quantity", ascending=False)
    _para(doc, "2. Theo nội dung tuyên truyền:", indent=True)
    rows = [[topic_label(r["topic"]), fmt_int(r["quantity"]), fmt_int(r["reach"])] for r in tp.to_dict("records")]
    rows.append(["Tổng cộng", fmt_int(q_total), fmt_int(r_total)])
    _table(doc, ["Nội dung tuyên truyền", "Số lượng", "Lượt tham dự, tiếp cận"], rows, [9.5, 3.0, 4.0], {1, 2})


def _section_tasks(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[2])
    h = data.headline
    t = data.tasks
    if t.empty:
        _para(doc, f"{NO_DATA} về tiến độ thực hiện nhiệm vụ trong phạm vi đã chọn.")
        return
    n_other = int((t["cadence"].astype(str) != "once").sum())
    _para(
        doc,
        f"Kế hoạch có {fmt_int(h.get('tasks_total'))} nhiệm vụ thực hiện một lần: {fmt_int(h.get('tasks_done'))} nhiệm vụ "
        f"đã hoàn thành ({fmt_pct(h.get('done_share'))}); {fmt_int(h.get('tasks_overdue'))} nhiệm vụ quá hạn "
        f"tính đến ngày {fmt_date(data.as_of)}. Ngoài ra có {fmt_int(n_other)} nhiệm vụ thường xuyên, khi phát sinh "
        "được theo dõi qua báo cáo từng kỳ của các đơn vị.",
    )
    rows = []
    for i, r in enumerate(t.to_dict("records"), start=1):
        status = status_label(r.get("status"))
        if r.get("overdue") is True or (r.get("overdue") not in (None, False) and bool(r.get("overdue"))):
            status += " (quá hạn)"
        rows.append(
            [
                str(i),
                f"{r['task_code']}. {r['task']}",
                fmt_date(r.get("due_date")) if r.get("due_date") is not None else "",
                f"{fmt_int(r.get('units_done'))}/{fmt_int(r.get('units_assigned'))}",
                status,
            ]
        )
    _table(
        doc,
        ["STT", "Nhiệm vụ", "Thời hạn", "Đơn vị hoàn thành", "Tình trạng"],
        rows,
        [1.3, 7.6, 2.8, 2.1, 2.7],
        numeric={3},
    )
    od = data.overdue
    if not od.empty:
        _para(doc, "Các nhiệm vụ quá hạn cần tập trung chỉ đạo:", indent=True)
        for r in od.to_dict("records"):
            _para(
                doc,
                f"- {r['task_code']}. {r['task']} (thời hạn {fmt_date(r.get('due_date'))}, "
                f"quá hạn {fmt_int(r.get('days_overdue'))} ngày; {status_label(r.get('status')).lower()}).",
            )


def _section_compliance(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[3])
    if not data.has_compliance:
        _para(doc, f"{NO_DATA} về tình hình báo cáo trong phạm vi đã chọn.")
        return
    counts = data.compliance_counts()
    due = counts[["on_time", "late", "missing"]].to_numpy().sum()
    on_time, late, missing = (int(counts[k].sum()) for k in ("on_time", "late", "missing"))
    _para(
        doc,
        f"Trong phạm vi báo cáo có {fmt_int(due)} lượt báo cáo đến hạn của các đơn vị: {fmt_int(on_time)} lượt "
        f"nộp đúng hạn ({fmt_pct(on_time / due if due else None)}), {fmt_int(late)} lượt nộp muộn, "
        f"{fmt_int(missing)} lượt chưa nộp.",
    )
    rows = [
        [period_short(p), *(fmt_int(v[k]) for k in ("on_time", "late", "missing", "not_due"))]
        for p, v in counts.iterrows()
    ]
    _table(
        doc,
        ["Kỳ báo cáo", *(compliance_label(k) for k in ("on_time", "late", "missing", "not_due"))],
        rows,
        [4.5, 3.0, 3.0, 3.0, 3.0],
        numeric={1, 2, 3, 4},
    )
    c = data.compliance
    latest = sorted(c.loc[c["status"].astype(str).isin(["missing"]), "period"].astype(str).unique())
    if latest:
        last = latest[-1]
        names = c.loc[(c["period"].astype(str) == last) & (c["status"].astype(str) == "missing"), "unit_name"]
        names = sorted(set(names.astype(str)))
        _para(
            doc,
            f"Các đơn vị chưa nộp báo cáo {period_label(last).lower()} ({fmt_int(len(names))} đơn vị): "
            + ", ".join(names)
            + ".",
        )


def _section_obstacles(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[4])
    ob = data.obstacles
    if ob.empty:
        _para(doc, "Trong phạm vi báo cáo, các đơn vị không báo cáo khó khăn, vướng mắc.")
        return
    open_count = int((~ob["handled"].fillna(False).astype(bool)).sum())
    _para(
        doc,
        f"Các đơn vị báo cáo {fmt_int(len(ob))} khó khăn, vướng mắc ({fmt_int(open_count)} nội dung chưa được xử lý):",
    )
    for r in ob.to_dict("records"):
        task = f", nhiệm vụ {r['task_code']}" if r.get("task_code") else ""
        done = " – đã xử lý" if r.get("handled") else ""
        _para(doc, f"- {r['unit_name']} ({period_label(r.get('period'))}{task}): {r['text']}{done}.".replace("..", "."))


def _section_plan(doc) -> None:
    _heading(doc, SECTIONS[5])
    p = _para(doc)
    run = p.add_run(PLACEHOLDER)
    _font(run, BODY_PT, italic=True)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _signature(doc) -> None:
    _para(doc, "", space_after=6)
    left, right = _two_cells(doc, 8.0, 8.5)
    _centered(
        left,
        [
            ("Nơi nhận:", {"size": 12, "bold": True, "italic": True, "align": WD_ALIGN_PARAGRAPH.LEFT}),
            ("- Ban Thường vụ Đảng ủy phường,", {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}),
            ("- Các chi bộ, đảng bộ trực thuộc,", {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}),
            ("- Các cơ quan, đơn vị liên quan,", {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}),
            ("- Lưu Văn phòng Đảng ủy.", {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}),
        ],
    )
    _centered(
        right,
        [
            ("T/M ĐẢNG ỦY", {"size": 14, "bold": True}),
            ("BÍ THƯ", {"size": 14, "bold": True}),
        ],
    )


def write_report(data: ReportData) -> bytes:
    doc = Document()
    _page(doc)
    _header_block(doc, data)
    _trend(doc, data)
    _section_attendance(doc, data)
    _section_propaganda(doc, data)
    _section_tasks(doc, data)
    _section_compliance(doc, data)
    _section_obstacles(doc, data)
    _section_plan(doc)
    _signature(doc)
    doc.core_properties.title = f"{TITLE} {SUBTITLE}"
    doc.core_properties.author = data.settings.committee
    doc.core_properties.language = "vi-VN"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_report(engine: Any, filters: Any, today: dt.date) -> bytes:
    """The .docx report for the filters, as bytes."""
    return write_report(collect(engine, filters, today))
