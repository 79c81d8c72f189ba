"""Read the exported files back with their own libraries (for tests), and render
them to PNG through LibreOffice (for looking at them: ``python -m tests.export_helpers``)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook
from pptx import Presentation

from loaders.forms import VOCABULARIES

# Stored keys that must never reach a reader.
RAW_KEYS = {c.key for v in VOCABULARIES.values() for c in v.choices if c.key not in {"tin", "pano", "other"}} | {
    "on_time",
    "late",
    "missing",
    "not_due",
    "no_report",
    "overdue",
    "as_needed",
    "ongoing",
    "once",
}


# ---------------------------------------------------------------- Excel


def open_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def find_cell(ws, text: str, start_row: int = 1):
    """The first cell whose value equals ``text`` (row-major), or None."""
    for row in ws.iter_rows(min_row=start_row):
        for cell in row:
            if cell.value == text:
                return cell
    return None


def table_below(ws, header_cell) -> list[list[Any]]:
    """Rows of the table whose header row holds ``header_cell``, until a blank row."""
    rows = []
    r = header_cell.row + 1
    while True:
        values = [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
        if all(v is None for v in values):
            return rows
        rows.append(values)
        r += 1


def xlsx_strings(wb) -> list[str]:
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# ---------------------------------------------------------------- Word


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def docx_paragraphs(doc) -> list[str]:
    """Body paragraphs and every table cell's text, in document order-ish."""
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                out.append(cell.text)
    return out


def docx_text(doc) -> str:
    return "\n".join(docx_paragraphs(doc))


def docx_table_with(doc, header: str):
    """The first table whose first row's first cell is ``header``, as a list of text rows."""
    for t in doc.tables:
        if t.rows and t.rows[0].cells[0].text == header:
            return [[c.text for c in row.cells] for row in t.rows]
    return None


# ---------------------------------------------------------------- PowerPoint


@dataclass
class SlideInfo:
    title: str
    texts: list[str] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)  # every explicit run size, in pt
    charts: list[Any] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def open_pptx(data: bytes):
    return Presentation(io.BytesIO(data))


def _runs(text_frame):
    for p in text_frame.paragraphs:
        yield from p.runs


def slides_info(prs) -> list[SlideInfo]:
    out = []
    for slide in prs.slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        info = SlideInfo(title=title)
        for shape in slide.shapes:
            if shape.has_text_frame:
                info.texts.append(shape.text_frame.text)
                info.sizes += [r.font.size.pt for r in _runs(shape.text_frame) if r.font.size is not None]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                info.charts.append(shape.chart)
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = []
                for row in shape.table.rows:
                    rows.append([cell.text for cell in row.cells])
                    for cell in row.cells:
                        info.sizes += [r.font.size.pt for r in _runs(cell.text_frame) if r.font.size is not None]
                info.tables.append(rows)
        if not info.texts and slide.shapes.title is None:
            info.title = ""
        out.append(info)
    return out


def chart_series(chart) -> dict[str, list[float]]:
    return {s.name: [0.0 if v is None else float(v) for v in s.values] for s in chart.plots[0].series}


def chart_categories(chart) -> list[str]:
    return [str(c) for c in chart.plots[0].categories]


# ---------------------------------------------------------------- rendering (to look at the files)


def render_pngs(path: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    """.docx/.pptx/.xlsx -> PDF (LibreOffice headless) -> one PNG per page (pdftoppm)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        raise RuntimeError("LibreOffice or pdftoppm is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out_dir / (path.stem + ".pdf")
    prefix = out_dir / path.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=180)
    return sorted(out_dir.glob(path.stem + "*.png"))


def main(argv: list[str]) -> int:
    """Build the three files for the sample ward and render them under artifacts/exports/."""
    import datetime as dt
    import tempfile

    from exports.excel import build_workbook
    from exports.slides import build_deck
    from exports.word import build_report
    from storage import db
    from storage.queries import Filters

    root = Path(__file__).resolve().parents[1]
    out = root / "artifacts" / "exports"
    out.mkdir(parents=True, exist_ok=True)
    today = dt.date.fromisoformat(argv[0]) if argv else dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.get_engine(f"sqlite:///{tmp}/x.db")
        from bootstrap import seed_sample_ward

        seed_sample_ward(engine)
        f = Filters()
        for name, build in (
            ("bao-cao.docx", build_report),
            ("trinh-chieu.pptx", build_deck),
            ("so-lieu.xlsx", build_workbook),
        ):
            path = out / name
            path.write_bytes(build(engine, f, today))
            for png in render_pngs(path, out):
                print(png)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# ---------------------------------------------------------------- a known data set for the meeting files


def store_report(engine, unit: str, period: str, received_at, *, tasks=(), propaganda=(), attendance=()) -> None:
    """Store one unit's report through ``storage.ingest.store_result`` (the same path as an
    accepted upload, minus reading a spreadsheet). Rows are dicts of form field keys."""
    import datetime as dt

    import pandas as pd

    from loaders.result import CheckResult, FormData, FoundValue
    from storage.ingest import store_result

    forms = {}
    for key, rows in (("tasks", tasks), ("propaganda", propaganda), ("attendance", attendance)):
        if not rows:
            continue
        frame = pd.DataFrame([{**r, "sheet": f"Biểu {key}", "row": 8 + i} for i, r in enumerate(rows)])
        if key == "tasks":
            for col in ("obstacles", "completed_on", "percent", "due_date", "due_text"):
                if col not in frame.columns:
                    frame[col] = None
        forms[key] = FormData(form=key, sheet=f"Biểu {key}", frame=frame, header_row=7, columns={"obstacles": "I"})
    result = CheckResult(
        file=f"{unit}-{period}.xlsx",
        accepted=True,
        unit=FoundValue(unit, "tên tệp"),
        period=FoundValue(period, "tên tệp"),
        forms=forms,
    )
    data = f"{unit}|{period}|{received_at}|{sorted(forms)}".encode()
    outcome = store_result(engine, result, data, result.file, sender="test", received_at=received_at)
    assert outcome.stored, outcome
    del dt


def seed_meeting_data(engine) -> None:
    """Three months of reports for a few units: late and missing reports, an overdue
    task, obstacles (one handled later by the office), every channel and group used."""
    import datetime as dt

    d = dt.datetime
    # January: on time for VPDU, BXDD, KDC03; late for VHXH.
    store_report(
        engine, "VPDU", "2026-01", d(2026, 1, 20, 9),
        tasks=[{"task_code": "NV01", "task_text": None, "status": "in_progress", "percent": 50.0}],
        propaganda=[
            {"channel": "portal", "topic": "plan", "quantity": 12, "measure_unit": "tin", "reach": 3400},
            {"channel": "social", "topic": "role_models", "quantity": 30, "measure_unit": "bai", "reach": 12500},
        ],
        attendance=[
            {"event": "Hội nghị trực tuyến quán triệt Nghị quyết 05-NQ/TU", "event_date": dt.date(2026, 1, 15),
             "format": "online", "group": "standing_committee", "invited": 5, "present": 5,
             "absent_excused": 0, "absent_unexcused": 0},
            {"event": "Hội nghị trực tuyến quán triệt Nghị quyết 05-NQ/TU", "event_date": dt.date(2026, 1, 15),
             "format": "online", "group": "party_reporters", "invited": 12, "present": 10,
             "absent_excused": 2, "absent_unexcused": 0},
        ],
    )  # fmt: skip
    store_report(
        engine, "BXDD", "2026-01", d(2026, 1, 22, 14),
        tasks=[
            {"task_code": "NV02", "status": "done", "percent": 100.0, "completed_on": dt.date(2026, 1, 18)},
            {"task_code": "NV05", "status": "in_progress", "percent": 40.0,
             "obstacles": "Tài liệu hỏi – đáp chưa được cấp đủ cho các chi bộ"},
        ],
        propaganda=[{"channel": "cell_meeting", "topic": "plan", "quantity": 4, "measure_unit": "buoi", "reach": 160}],
    )  # fmt: skip
    store_report(
        engine, "KDC03", "2026-01", d(2026, 1, 24, 16),
        propaganda=[
            {"channel": "visual", "topic": "plan", "quantity": 6, "measure_unit": "bang_ron", "reach": None},
            {"channel": "cell_meeting", "topic": "public_opinion", "quantity": 1, "measure_unit": "buoi", "reach": 38},
        ],
        attendance=[
            {"event": "Sinh hoạt chi bộ chuyên đề tháng 01", "event_date": dt.date(2026, 1, 10), "format": "in_person",
             "group": "party_members", "invited": 40, "present": 36, "absent_excused": 3, "absent_unexcused": 1},
        ],
    )  # fmt: skip
    store_report(
        engine, "VHXH", "2026-01", d(2026, 1, 28, 8),
        propaganda=[{"channel": "portal", "topic": "counter_hostile", "quantity": 7, "measure_unit": "bai", "reach": 2100}],
    )  # fmt: skip
    # February
    store_report(
        engine, "VPDU", "2026-02", d(2026, 2, 23, 10),
        tasks=[{"task_code": "NV01", "status": "in_progress", "percent": 80.0,
                "obstacles": "Đường truyền trực tuyến tại điểm cầu phường chưa ổn định"}],
        propaganda=[{"channel": "social", "topic": "plan", "quantity": 1234, "measure_unit": "luot", "reach": 45678}],
    )  # fmt: skip
    store_report(
        engine, "MTTQ", "2026-02", d(2026, 2, 20, 9),
        propaganda=[{"channel": "conference", "topic": "role_models", "quantity": 3, "measure_unit": "buoi", "reach": 210}],
        attendance=[
            {"event": "Hội nghị quán triệt cấp phường", "event_date": dt.date(2026, 2, 26), "format": "in_person",
             "group": "front_and_mass_orgs", "invited": 25, "present": 21, "absent_excused": 2, "absent_unexcused": 2},
            {"event": "Hội nghị quán triệt cấp phường", "event_date": dt.date(2026, 2, 26), "format": "in_person",
             "group": "public", "invited": 120, "present": 97, "absent_excused": 15, "absent_unexcused": 8},
        ],
    )  # fmt: skip
    store_report(
        engine, "KDC03", "2026-02", d(2026, 3, 2, 8),  # late
        tasks=[{"task_code": "NV11", "status": "in_progress", "percent": None}],
        propaganda=[{"channel": "theory_class", "topic": "plan", "quantity": 2, "measure_unit": "lop", "reach": 85}],
    )  # fmt: skip
    # March (quarter report of a school counts for March)
    store_report(
        engine, "CBTH", "2026-Q1", d(2026, 3, 25, 11),
        propaganda=[{"channel": "other", "topic": "other", "quantity": 5, "measure_unit": "bai", "reach": 300}],
    )  # fmt: skip
    store_report(
        engine, "BXDD", "2026-03", d(2026, 3, 20, 15),
        tasks=[{"task_code": "NV03", "status": "not_started", "percent": 0.0}],
        propaganda=[{"channel": "portal", "topic": "role_models", "quantity": 9, "measure_unit": "tin", "reach": 1800}],
    )  # fmt: skip
