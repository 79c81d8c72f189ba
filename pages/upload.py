"""Gửi báo cáo: a unit's staff member downloads the template, sends reports, sees the history.

Flow: choose files -> each is checked (nothing stored) -> what was recognised,
the totals and a preview are shown -> the user confirms -> stored as a new
version. A refused file lists every problem at once and offers a copy of the
file with the wrong cells marked.

Text read from an uploaded file is only ever shown through ``st.dataframe``
or ``st.text`` (never Markdown); file names in labels go through
``upload_flow.md_escape``.
"""

from __future__ import annotations

import streamlit as st

from storage import accounts, review
from storage.ingest import StorageError
from ui import auth, data
from ui import upload_flow as flow
from ui.format import fmt_period

CHECKS = "upload_checks"  # uploader file_id -> FileCheck
STORED = "upload_stored"  # FileCheck.key -> (kind, message)
HISTORY_PICK = "upload_history_pick"
HISTORY_NEWEST = "upload_history_newest"  # (unit, newest submission id) the picker was last set to
# Rows taller than 4rem let st.dataframe wrap long texts (messages and hints stay readable).
WRAP_ROW_HEIGHT = 72
ACCEPT_HELP = "Nhận tệp .xlsx, .xlsm, .xls, .ods; có thể chọn nhiều tệp cùng lúc."

TEXT = st.column_config.TextColumn
PROBLEM_COLUMNS = {
    "Biểu (trang tính)": TEXT(width=120),
    "Ô": TEXT(width=55),
    "Mức độ": TEXT(width=80),
    # medium + width="stretch": the two long columns share the rest of the row and wrap
    "Lỗi": TEXT(width="medium"),
    "Cách sửa": TEXT(width="medium"),
}

st.title("Gửi báo cáo")
st.caption(
    "Tải tệp mẫu của đơn vị, điền số liệu rồi gửi lại tại đây. Tệp được kiểm tra trước; "
    "chỉ khi bạn bấm «Xác nhận gửi» báo cáo mới được lưu."
)

engine = data.engine()
today = data.today()
units = data.list_units()
names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False)) if len(units) else {}
# Issue 12: unit staff are offered only their own units (the office: every unit); storage checks
# again whatever the widgets say (storage/review.py).
principal = auth.require("office", "unit")
own_units = auth.unit_options(principal, names)
setup = flow.ward_state(engine)
if not setup["ready"]:  # a new ward: say what is missing instead of refusing every file
    flow.setup_missing(setup)
    st.stop()


def _registry():
    # The database's registry, read when needed, so that an administrator's edit counts at once.
    return flow.load_registry(engine)


# ------------------------------------------------------------------ 1. unit and template

st.subheader("1. Đơn vị và tệp mẫu")
left, right = st.columns(2)
unit = left.selectbox(
    "Đơn vị của bạn",
    options=own_units,
    index=0 if len(own_units) == 1 else None,
    format_func=lambda c: f"{names.get(c, c)} ({c})",
    placeholder="Chọn đơn vị",
    key="upload_unit",
)
period = right.selectbox(
    "Kỳ báo cáo của tệp mẫu",
    options=flow.period_choices(today),
    index=1,  # the current month (the list starts one month ahead)
    format_func=fmt_period,
    key="upload_period",
)
if unit and not principal.may_act_for(unit):  # a replayed widget value naming another unit
    unit = None
if unit:
    for r in review.returned_reports(engine, principal, unit).itertuples():
        st.warning(
            f"Văn phòng Đảng ủy trả lại báo cáo {fmt_period(r.period)} (tệp {flow.md_escape(r.filename)}) để sửa: "
            f"{flow.md_escape(r.review_reason)}. Sửa rồi gửi lại tệp.",
            icon=":material/assignment_return:",
        )
    registry = _registry()
    st.download_button(
        f"Tải tệp mẫu {fmt_period(period)}",
        data=lambda: flow.template_bytes(registry, unit, period),
        file_name=flow.template_filename(unit, period),
        mime=flow.XLSX_MIME,
        icon=":material/download:",
        key="upload_template",
        on_click="ignore",
    )
else:
    st.caption("Chọn đơn vị để tải tệp mẫu đã điền sẵn tên đơn vị, kỳ báo cáo và các nhiệm vụ được giao.")

# ------------------------------------------------------------------ 2. send files

st.subheader("2. Gửi tệp báo cáo")
sender = principal.label  # the account, never a text box (issue 12)
st.markdown(f"Người gửi: **{auth.md_text(sender)}**")


# A fragment: choosing or removing a file, or confirming, reruns this section only (not the
# app's preamble, the sidebar, section 1 or the history), so the verdict shows sooner (issue 15,
# bench/bench_feel.py). Storing a report reruns the whole app (st.rerun), so the history follows.
@st.fragment
def _send_files() -> None:
    # A fragment's own rerun skips app.py's gate: a session ended meanwhile (logged out elsewhere,
    # expired) sends the whole app back through it (the login page) before anything is checked.
    token = st.session_state.get(auth.SESSION_KEY)
    if token and accounts.resolve_session(engine, token) is None:
        st.rerun()
    files = st.file_uploader(
        "Chọn tệp báo cáo",
        accept_multiple_files=True,
        key="upload_files",
        help=ACCEPT_HELP,
    )
    st.caption(ACCEPT_HELP)

    checks: dict[str, flow.FileCheck] = st.session_state.setdefault(CHECKS, {})
    stored: dict[str, tuple[str, str]] = st.session_state.setdefault(STORED, {})
    files = files or []
    current_ids = {f.file_id for f in files}
    for gone in [k for k in checks if k not in current_ids]:
        del checks[gone]
    # A file taken out of the uploader forgets its "stored" note: chosen again, it is checked again
    # and, being already stored, says when it was sent (issue 13).
    for key in [k for k in stored if k not in {fc.key for fc in checks.values()}]:
        del stored[key]

    pending = [f for f in files if f.file_id not in checks]
    if pending:
        registry = _registry()
        bar = st.progress(0.0, text="Đang kiểm tra tệp…") if len(pending) > 1 else None
        for i, up in enumerate(pending):
            if bar is not None:
                bar.progress(
                    i / len(pending), text=f"Đang kiểm tra tệp {i + 1}/{len(pending)}: {flow.md_escape(up.name)}"
                )
            with st.spinner(f"Đang kiểm tra {flow.md_escape(up.name)}…"):
                checks[up.file_id] = flow.check_upload_safely(
                    engine, up.getvalue(), up.name, registry=registry, today=today, due_day=flow.ward_due_day(engine)
                )
        if bar is not None:
            bar.empty()

    batch = [checks[f.file_id] for f in files if f.file_id in checks]

    def _store(fc: flow.FileCheck) -> None:
        try:
            outcome = review.store_upload(engine, principal, fc.result, fc.data, fc.filename)
        except review.UploadRefused as err:  # lock, closed period, daily limit, another unit
            stored[fc.key] = ("error", str(err))
            return
        except StorageError as err:  # busy (locked), read-only, unknown unit: its own Vietnamese message
            stored[fc.key] = ("error", str(err))
            return
        except Exception:  # a database failure: this file only
            flow.log.exception("storing %r failed", fc.filename)
            stored[fc.key] = ("error", "Không lưu được báo cáo do lỗi của hệ thống; chưa có gì được lưu. Thử lại sau.")
            return
        stored[fc.key] = ("duplicate" if outcome.duplicate else "stored", flow.stored_message(outcome, names, fc))
        data.clear_cache()

    if batch:
        n_ok = sum(fc.accepted for fc in batch)
        n_bad = len(batch) - n_ok
        st.write(f"Đã kiểm tra {len(batch)} tệp: {n_ok} tệp hợp lệ, {n_bad} tệp bị từ chối.")
        for note in flow.batch_conflicts([fc for fc in batch if fc.key not in stored]):
            st.warning(note, icon=":material/warning:")

        waiting = [fc for fc in batch if fc.accepted and fc.key not in stored and fc.sent_before is None]
        if len(waiting) > 1:
            if st.button(
                f"Xác nhận gửi tất cả {len(waiting)} tệp hợp lệ",
                type="primary",
                disabled=not sender,
                key="upload_confirm_all",
            ):
                progress = st.progress(0.0, text="Đang lưu…")
                for i, fc in enumerate(waiting):
                    progress.progress(i / len(waiting), text=f"Đang lưu tệp {i + 1}/{len(waiting)}")
                    _store(fc)
                progress.empty()
                st.rerun()

    for idx, fc in enumerate(batch):
        result = fc.result
        with st.container(border=True):
            icon = ":green[:material/check_circle:]" if fc.accepted else ":red[:material/cancel:]"
            st.markdown(f"#### {icon} {flow.md_escape(fc.filename)}")
            if note := flow.active_content_note(fc):
                st.caption(note)
            done = stored.get(fc.key)
            if fc.accepted:
                st.dataframe(
                    flow.recognised_table(result, names),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "Thông tin": TEXT(width=120),
                        "Nhận ra": TEXT(width="medium"),
                        "Lấy từ": TEXT(width="medium"),
                    },
                    row_height=WRAP_ROW_HEIGHT,
                )
                st.dataframe(flow.summary_table(result), hide_index=True, width="stretch")
                for form_key in flow.form_keys():
                    if form_key in result.forms:
                        form = flow.FORMS_BY_KEY[form_key]
                        preview = flow.preview_frame(result, form_key)
                        with st.expander(f"Xem trước {form.sheet_title} ({len(preview)} dòng)"):
                            st.dataframe(preview, hide_index=True, width="stretch")
                if result.warnings:
                    st.warning(
                        f"Có {len(result.warnings)} cảnh báo: báo cáo vẫn gửi được, nhưng nên kiểm tra lại.",
                        icon=":material/warning:",
                    )
                    st.dataframe(
                        flow.problems_table(result.warnings),
                        hide_index=True,
                        width="stretch",
                        column_config=PROBLEM_COLUMNS,
                        row_height=WRAP_ROW_HEIGHT,
                    )
                if done is None:
                    flow.refresh_existing(engine, fc)
                    duplicate = flow.duplicate_notice(fc, names)
                    if duplicate:  # the same bytes are stored already: say when, offer nothing to confirm
                        st.info(duplicate, icon=":material/content_copy:")
                        continue
                    mismatch = flow.unit_mismatch_notice(fc, unit, names)
                    if mismatch:
                        st.warning(mismatch, icon=":material/warning:")
                    late = flow.late_notice(fc)
                    if late:
                        st.warning(late, icon=":material/schedule:")
                    notice = flow.replacement_notice(fc, names)
                    if notice:
                        st.warning(notice, icon=":material/history:")
                        st.dataframe(flow.replacement_table(fc), hide_index=True, width="stretch")
                    label = "Xác nhận gửi và thay thế bản cũ" if notice else "Xác nhận gửi"
                    if not sender:
                        st.caption("Nhập tên người gửi ở trên để xác nhận gửi.")
                    why = review.upload_refusal(engine, principal, result.unit.value, result.period.value, len(fc.data))
                    if why:
                        st.error(why, icon=":material/lock:")
                    elif st.button(
                        label, type="primary", disabled=not sender, key=f"upload_confirm_{idx}_{fc.key[:16]}"
                    ):
                        _store(fc)
                        st.rerun()
                else:
                    kind, message = done
                    {"stored": st.success, "duplicate": st.info, "error": st.error}[kind](message)
            else:
                st.error(flow.refusal_banner(result), icon=":material/block:")
                cells = flow.cells_to_fix(result.errors)
                if cells:
                    st.caption(f"Ô cần sửa: {flow.md_escape(cells)}")
                st.dataframe(
                    flow.problems_table(fc.problems),
                    hide_index=True,
                    width="stretch",
                    column_config=PROBLEM_COLUMNS,
                    row_height=WRAP_ROW_HEIGHT,
                )
                copy = flow.highlighted_copy(fc)
                if copy is not None:
                    content, copy_name = copy
                    st.download_button(
                        "Tải tệp của bạn đã đánh dấu ô lỗi",
                        data=content,
                        file_name=copy_name,
                        mime=flow.XLSX_MIME,
                        icon=":material/download:",
                        key=f"upload_highlight_{idx}_{fc.key[:16]}",
                        on_click="ignore",
                        help="Ô lỗi được tô đỏ và có ghi chú; sửa rồi gửi lại tệp.",
                    )


_send_files()

# ------------------------------------------------------------------ 3. history

st.subheader("3. Lịch sử gửi báo cáo")
if not unit:
    st.caption("Chọn đơn vị ở mục 1 để xem các lần gửi báo cáo.")
else:
    own_history = review.submission_history(engine, principal, unit)  # scoped, never cached
    history = flow.history_table(own_history)
    ids = flow.history_ids(own_history)  # in the table's order (newest first); never shown
    if len(history) == 0:
        st.info(f"{names.get(unit, unit)} chưa gửi báo cáo nào.")
    else:
        st.dataframe(history, hide_index=True, width="stretch")
        labels = {sid: flow.history_choice_label(row) for sid, (_, row) in zip(ids, history.iterrows(), strict=True)}
        files_by_id = dict(zip(ids, history["Tệp"], strict=True))
        # The picker follows the newest submission: a new one (or another unit) selects it again.
        if st.session_state.get(HISTORY_NEWEST) != (unit, ids[0]):
            st.session_state[HISTORY_NEWEST] = (unit, ids[0])
            st.session_state[HISTORY_PICK] = ids[0]
        chosen = st.selectbox(
            "Chọn lần gửi để tải lại tệp",
            options=ids,
            format_func=labels.get,
            key=HISTORY_PICK,
        )
        if chosen:
            filename = files_by_id[chosen]
            sid = int(chosen)
            st.download_button(
                "Tải tệp đã gửi",
                data=lambda: review.submission_file(engine, principal, sid)[1],
                file_name=str(filename),
                icon=":material/download:",
                key="upload_history_download",
                on_click="ignore",
            )
