"""Tables: sortable st.dataframe with Vietnamese headers and number/date
formats, and our own Excel and CSV downloads of the same table.

Streamlit's toolbar CSV writes text starting with "=" or "@" unescaped, so it
is switched off (``client.disableDataExport`` in .streamlit/config.toml) and
both files here go through ``loaders.safe_cells``: text stays text in the
workbook and is escaped in the CSV (docs/SECURITY.md)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from openpyxl import Workbook
from openpyxl.styles import Font

from loaders import safe_cells
from ui import auth, filters
from ui.format import fmt_date, fmt_datetime, fmt_int, fmt_number, fmt_percent, fmt_period_short

if TYPE_CHECKING:
    from streamlit.elements.lib.column_types import ColumnConfig

UNIT_PAGE_URL = "don-vi"

_FORMATTERS = {
    "int": fmt_int,
    "num1": lambda v: fmt_number(v, 1),
    "pct": fmt_percent,  # a share 0..1
    "pct100": lambda v: fmt_number(v, 1) + "%" if v == v and v is not None else "–",  # 0..100
    "date": fmt_date,
    "datetime": fmt_datetime,
    "period": lambda v: "" if v is None or v != v else fmt_period_short(v),  # 11/2026, Quý IV/2026
}
_AS_TEXT = ("datetime", "period")  # shown as text: never "None", "nan" or a raw key


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "bang"


def unit_url(code: str, name: str) -> str:
    """A relative link to the unit page that keeps the current view's filters;
    the unit's name rides in the fragment so a LinkColumn can display it."""
    return f"{UNIT_PAGE_URL}?{urlencode(filters.url_params(unit=code))}#{name}"


def _xl_value(value: object) -> object:
    """A frame value as an openpyxl cell value (missing -> empty, numpy/pandas scalars -> Python)."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def excel_bytes(frame: pd.DataFrame, sheet: str = "Dữ liệu") -> bytes:
    """``frame`` as a one-sheet .xlsx: header row, then the rows; every text stays text."""
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]\*\?/\\:]", "_", sheet)[:31] or "Dữ liệu"
    bold = Font(bold=True)
    for c, col in enumerate(frame.columns, start=1):
        safe_cells.write(ws, 1, c, str(col)).font = bold
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, value in enumerate(row, start=1):
            cell = safe_cells.write(ws, r, c, _xl_value(value))
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    for i, col in enumerate(frame.columns, start=1):
        values = [str(col), *(str(v) for v in frame[col].head(200).tolist())]
        width = min(60, max(8, max(len(v) for v in values) + 2))
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    return safe_cells.workbook_bytes(wb)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV (UTF-8 with BOM); text a spreadsheet would run gets a leading quote."""
    return safe_cells.csv_bytes(frame)


def downloads(frame: pd.DataFrame, title: str, key: str) -> None:
    """The "Tải Excel" and "Tải CSV" buttons for a table (built only when clicked)."""
    name = slug(title)
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Tải Excel",
            data=auth.audited(lambda: excel_bytes(frame, title), "table_xlsx", title=title),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )
        st.download_button(
            "Tải CSV",
            data=auth.audited(lambda: csv_bytes(frame), "table_csv", title=title),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
            on_click="ignore",
        )


def _excel_frame(frame: pd.DataFrame, columns: dict[str, str], kinds: dict[str, str] | None = None) -> pd.DataFrame:
    out = frame[list(columns)].copy()
    for col in out.columns:
        if (kinds or {}).get(col) == "period":  # "11/2026" as on screen, not the key "2026-11"
            out[col] = out[col].map(lambda v: _FORMATTERS["period"](v) or None)
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or not isinstance(v, pd.Timestamp) else v.date())
    return out.rename(columns=columns)


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    key: str,
    title: str,
    kinds: dict[str, str] | None = None,
    unit_link: tuple[str, str] | None = None,
    height: int | Literal["stretch", "content", "auto"] = "auto",
    download: bool = True,
) -> None:
    """Show ``frame[columns]`` with Vietnamese headers.

    ``kinds`` maps a column to "int" | "num1" | "pct" | "pct100" | "date" |
    "datetime" | "period"; ``unit_link`` = (code column, name column) turns the
    name into a link to the unit page.
    """
    kinds = kinds or {}
    shown = frame[list(columns)].copy().reset_index(drop=True)
    config: dict[str, ColumnConfig] = {}
    if unit_link is not None:
        code_col, name_col = unit_link
        shown[name_col] = [
            unit_url(str(c), str(n)) for c, n in zip(frame[code_col].tolist(), frame[name_col].tolist(), strict=False)
        ]
        config[columns[name_col]] = st.column_config.LinkColumn(columns[name_col], display_text=r"#(.*)$")
    for col, kind in kinds.items():
        # Streamlit shows a missing number as "None": write those columns as text instead
        if col in shown and kind in ("int", "num1", "pct", "pct100") and shown[col].isna().any():
            shown[col] = shown[col].map(_FORMATTERS[kind]).astype(object)
        elif col in shown and kind in _AS_TEXT:
            shown[col] = shown[col].map(lambda v, k=kind: "" if v is None or v != v else _FORMATTERS[k](v))
    for col in shown.columns:  # a missing text is empty, not "None" / "nan"
        if shown[col].dtype == object and col not in kinds:
            shown[col] = shown[col].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else v)
    shown = shown.rename(columns=columns)
    first = columns[next(iter(columns))]
    if first not in config:  # the key column stays in view when the table scrolls sideways
        config[first] = st.column_config.Column(first, pinned=True)
    fmt = {columns[c]: _FORMATTERS[k] for c, k in kinds.items() if c in columns and shown[columns[c]].dtype != object}
    fmt.update({columns[c]: _FORMATTERS[k] for c, k in kinds.items() if k == "date"})
    styled = shown.style.format(fmt, na_rep="") if fmt else shown
    st.dataframe(styled, hide_index=True, width="stretch", height=height, column_config=config or None, key=key)
    if download and len(frame):
        downloads(_excel_frame(frame, columns, kinds), title, key)
