"""A ward that never saw the sample data sets itself up in the Quản trị pages (AppTest), receives a
unit's report through the upload page and shows it; refusals on the pages change nothing; the
registry workbook's errors name their cells."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from page_helpers import APP, build_database, login
from storage_helpers import BACKENDS, count_all, engine_for
from streamlit.testing.v1 import AppTest
from upload_helpers import XLSX_MIME, report_xlsx

from loaders.registry_book import read_registry_book, write_registry_book
from storage import admin
from storage import queries as q
from storage.db import get_engine
from storage.registry import load_registry

TODAY = "2026-03-05"


@pytest.fixture
def empty_ward(tmp_path, monkeypatch):
    url = build_database(tmp_path / "ward.db", seed=False)  # migrated, nothing in it
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_SEED", "0")
    engine = get_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def bare_engine(request, tmp_path):
    """A migrated, empty database on each backend (no ward, no registry)."""
    yield from engine_for(request.param, tmp_path, registry=False)


def _open(url: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    login(at, url, "office")
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _field(at: AppTest, label: str, kind: str = "text_input"):
    found = [w for w in getattr(at, kind) if w.label == label]
    assert found, f"no {kind} labelled {label!r}: {[w.label for w in getattr(at, kind)]}"
    return found[0]


def _submit(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, at.exception
    return at


def _said(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))


def test_empty_ward_set_up_in_the_pages_receives_and_shows_a_report(empty_ward):
    url, engine = empty_ward
    at = _open(url, "pages/upload.py")
    # not set up yet: the upload page says what is missing instead of refusing every file
    assert "còn thiếu" in _said(at, "warning") and "danh sách đơn vị" in _said(at, "warning")
    assert not [u for u in at.file_uploader if u.key == "upload_files"]

    _go(at, "pages/admin_ward.py")
    assert "chưa có phường nào" in _said(at, "info")
    _field(at, "Tên phường").set_value("Hòa Bình")
    _submit(at, "Lưu tên phường")
    assert "Đã lưu tên phường: Hòa Bình." in _said(at, "success")

    _go(at, "pages/admin_units.py")
    _field(at, "Tên nhóm").set_value("Chi bộ khu dân cư")
    _submit(at, "Thêm nhóm")
    _field(at, "Mã đơn vị").set_value("kdc03")
    _field(at, "Tên đơn vị").set_value("Chi bộ Khu dân cư số 3")
    _submit(at, "Thêm đơn vị")
    assert "Đã thêm đơn vị KDC03." in _said(at, "success")
    # a refusal on the page: shown in Vietnamese, nothing changed
    before = count_all(engine)
    _field(at, "Mã đơn vị").set_value("KDC03")
    _field(at, "Tên đơn vị").set_value("Trùng mã")
    _submit(at, "Thêm đơn vị")
    assert "Mã đơn vị “KDC03” đã có" in _said(at, "error")
    assert count_all(engine) == before

    _go(at, "pages/admin_plans.py")
    _field(at, "Mã kế hoạch").set_value("KH01")
    _field(at, "Trích yếu", "text_area").set_value("Kế hoạch quán triệt Nghị quyết năm 2026")
    _submit(at, "Thêm kế hoạch")
    assert "Đã thêm kế hoạch KH01." in _said(at, "success")
    _field(at, "Mã nhiệm vụ").set_value("NV01")
    _field(at, "Nội dung", "text_area").set_value("Tuyên truyền Nghị quyết trên loa truyền thanh")
    _field(at, "Đơn vị chủ trì (mã, tên nhóm hoặc ALL; cách nhau bởi ;)").set_value("ALL")
    _submit(at, "Lưu nhiệm vụ")
    assert "Đã lưu nhiệm vụ NV01 của kế hoạch KH01." in _said(at, "success")

    # every step is in the history, by the signed-in office account
    _go(at, "pages/admin_history.py")
    history = at.dataframe[0].value
    assert list(history["Thay đổi"])[::-1] == [
        "Thiết lập phường",
        "Thêm nhóm",
        "Thêm đơn vị",
        "Thêm kế hoạch",
        "Thêm nhiệm vụ",
    ]
    assert set(history["Người thay đổi"]) == {"Văn phòng (kiểm thử) (test.vanphong)"}

    # the upload page now receives the unit's report, checked against the ward's own registry
    _go(at, "pages/upload.py")
    assert "còn thiếu" not in _said(at, "warning")
    at.file_uploader(key="upload_files").set_value([("kdc3-t02.xlsx", report_xlsx(), XLSX_MIME)])
    at.run()
    assert not at.exception
    assert "1 tệp hợp lệ, 0 tệp bị từ chối" in _said(at, "markdown") + _said(at, "success") + _said(at, "info")
    _submit(at, "Xác nhận gửi")
    assert "Đã lưu báo cáo của Chi bộ Khu dân cư số 3" in _said(at, "success")

    # and the dashboard shows it
    # (opened fresh at that month's link; rewriting the query string inside a running session is
    # not picked up by the sidebar filters, which the session's widgets own)
    from tests.page_helpers import run_page

    board = run_page(url, "pages/overview.py", params={"kind": "month", "period": "2026-02"}, today=TODAY)
    assert not board.exception
    shown = {m.label: m.value for m in board.metric}
    assert shown["Tin, bài, buổi tuyên truyền"] == "10"
    assert q.totals(engine)["propaganda"]["quantity"] == 10


def _sample_book(**edits) -> bytes:
    units = [
        {"code": "KDC01", "name": "Chi bộ Khu dân cư số 1", "group": "Chi bộ khu dân cư", "short_name": ""},
        {"code": "KDC02", "name": "Chi bộ Khu dân cư số 2", "group": "Chi bộ khu dân cư", "short_name": "CB KDC2"},
        {"code": "VP", "name": "Văn phòng Đảng ủy", "group": "Cơ quan Đảng", "short_name": ""},
    ]
    plan = {"code": "KH05", "number": "Kế hoạch số 05-KH/ĐU", "issued_on": None, "title": "Quán triệt Nghị quyết"}
    tasks = [
        {
            "code": "NV01",
            "task": "Hội nghị quán triệt",
            "lead": "VP",
            "support": "",
            "cadence": "once",
            "due": "2026-03-31",
        },
        {"code": "NV02", "task": "Tuyên truyền", "lead": "Chi bộ khu dân cư", "support": "VP", "cadence": "ongoing"},
    ]
    return write_registry_book(edits.get("units", units), plan, edits.get("tasks", tasks))


def _bad_book() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws.append(["Mã đơn vị", "Tên đơn vị", "Nhóm đơn vị", "Tên viết tắt"])
    ws.append(["KDC01", "Chi bộ Khu dân cư số 1", "Chi bộ khu dân cư"])
    ws.append(["KDC01", "Trùng mã", "Chi bộ khu dân cư"])  # A3: duplicate
    ws.append(["KDC02", None, "Chi bộ khu dân cư"])  # B4: no name
    ws = wb.create_sheet("Kế hoạch")
    ws.append(["Mã kế hoạch", "KH05"])
    ws.append(["Số hiệu", "05-KH/ĐU"])
    ws.append(["Ngày ban hành", "31/02/2026"])  # B3: no such date
    ws.append(["Trích yếu", "Quán triệt"])
    ws = wb.create_sheet("Nhiệm vụ")
    ws.append(["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Tính chất", "Thời hạn"])
    ws.append(["NV01", "Hội nghị", "KDC09", None, "Một lần"])  # C2: unknown unit
    ws.append(["NV02", "Tuyên truyền", "KDC01", "Ban Lạ", "Hằng ngày"])  # D3 unknown group, E3 bad cadence
    ws.append(["NV02", "Lặp", "KDC01"])  # A4: duplicate
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_registry_workbook_errors_name_their_cells_and_import_nothing(bare_engine):
    engine = bare_engine
    admin.setup_ward(engine, "Hòa Bình", actor="kiểm thử")
    book = read_registry_book(_bad_book(), "danh-muc.xlsx")
    cells = {(p.sheet, p.cell): p.message for p in book.problems}
    assert set(cells) == {
        ("Đơn vị", "A3"),
        ("Đơn vị", "B4"),
        ("Kế hoạch", "B3"),
        ("Nhiệm vụ", "C2"),
        ("Nhiệm vụ", "D3"),
        ("Nhiệm vụ", "E3"),
        ("Nhiệm vụ", "A4"),
    }
    assert cells[("Đơn vị", "A3")] == "Đơn vị, ô A3: mã đơn vị “KDC01” trùng với ô A2."
    assert "KDC09" in cells[("Nhiệm vụ", "C2")] and "không có trong danh sách đơn vị" in cells[("Nhiệm vụ", "C2")]
    before = count_all(engine)
    with pytest.raises(admin.RegistryError) as exc:
        admin.import_book(engine, book, actor="kiểm thử")
    assert exc.value.code == "import.problems" and "chưa nhập gì" in exc.value.message
    assert count_all(engine) == before


def test_registry_workbook_round_trip_and_reimport_renames_with_alias(bare_engine):
    engine = bare_engine
    admin.setup_ward(engine, "Hòa Bình", actor="kiểm thử")
    book = read_registry_book(_sample_book(), "danh-muc.xlsx")
    assert book.ok, book.problems
    counts = admin.import_book(engine, book, actor="kiểm thử")
    assert counts["units_added"] == 3 and counts["tasks"] == 2
    reg = load_registry(engine)
    assert reg.plan == "KH05" and {t.code for t in reg.tasks} == {"NV01", "NV02"}
    assert {t.code for t in reg.assigned_tasks("KDC02")} == {"NV02"}
    # exported and read back: the same registry
    again = read_registry_book(admin.export_book(engine), "xuat.xlsx")
    assert again.ok and [u["code"] for u in again.units] == ["KDC01", "KDC02", "VP"]
    assert [(t["code"], t["lead"], t["cadence"]) for t in again.tasks] == [
        ("NV01", "VP", "once"),
        ("NV02", "Chi bộ khu dân cư", "ongoing"),
    ]
    # a second import renames a unit: code kept, old name still recognised
    units = [dict(u) for u in again.units]
    units[0]["name"] = "Chi bộ Tổ dân phố số 1"
    book2 = read_registry_book(_sample_book(units=units), "danh-muc-2.xlsx")
    admin.import_book(engine, book2, actor="kiểm thử")
    reg = load_registry(engine)
    assert reg.units_by_code["KDC01"].name == "Chi bộ Tổ dân phố số 1"
    assert reg.match_unit("Chi bộ Khu dân cư số 1")[0] == "KDC01"


def test_bad_registry_workbook_on_the_page_lists_cells(empty_ward):
    url, engine = empty_ward
    admin.setup_ward(engine, "Hòa Bình", actor="kiểm thử")
    at = _open(url, "pages/admin_ward.py")
    before = count_all(engine)
    at.file_uploader(key="registry_book").set_value([("danh-muc.xlsx", _bad_book(), XLSX_MIME)])
    at.run()
    assert not at.exception
    assert "Tệp có 7 lỗi, chưa nhập gì" in _said(at, "error")
    table = at.dataframe[0].value
    assert ("Nhiệm vụ", "E3") in set(zip(table["Trang tính"], table["Ô"], strict=True))
    assert not [b for b in at.button if b.label == "Nhập danh mục"]
    assert count_all(engine) == before


def test_dashboard_follows_the_chosen_plan(tmp_path, monkeypatch):
    """A second plan: the sidebar offers the ward's plans, the current one by default; the task pages
    show the chosen plan's tasks only."""
    from storage.queries import Filters

    url = build_database(tmp_path / "plans.db", seed=False, registry=True)  # the sample registry, no report
    engine = get_engine(url)
    admin.add_plan(engine, "KH2027", title="Kế hoạch năm 2027", number="Kế hoạch số 30-KH/ĐU", actor="kiểm thử")
    admin.add_task(
        engine, "NV01", task="Sơ kết năm 2027", lead="VPDU", due="2027-06-30", actor="kiểm thử", plan="KH2027"
    )
    admin.set_current_plan(engine, "KH2027", actor="kiểm thử")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_SEED", "0")
    at = _open(url, "pages/tasks.py")
    (choice,) = [s for s in at.selectbox if s.label == "Kế hoạch"]
    assert choice.value == "KH2027"
    assert "(hiện hành)" in choice.format_func("KH2027")
    from ui import filters

    assert at.session_state[filters._STATE].plan is None  # the current plan
    choice.set_value("KH12").run()
    assert not at.exception
    assert at.session_state[filters._STATE].plan == "KH12"
    assert at.query_params["plan"] == ["KH12"] or at.query_params["plan"] == "KH12"
    old = q.task_timeline(engine, Filters(plan="KH12"))
    new = q.task_timeline(engine, Filters())
    assert list(new["task_code"]) == ["NV01"] and len(old) == 17
    engine.dispose()
