"""The review meeting's files (Excel figures, Word report, PowerPoint slides), built on demand.

Cached per database, filters, day and data version (``storage.version``): a
report stored or an obstacle handled since the last build, in this process or
any other sharing the database, is a new key, so a file is never older than
the pages.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import streamlit as st

from exports.excel import build_workbook
from exports.slides import build_deck
from exports.word import build_report
from storage.queries import Filters
from ui import data

BUILDERS = {"xlsx": build_workbook, "docx": build_report, "pptx": build_deck}


@st.cache_data(ttl=600, show_spinner=False, max_entries=60)
def _file(kind: str, url: str | None, key: tuple, today: date, version: tuple) -> bytes:
    return BUILDERS[kind](data.engine_for_url(url), Filters(*key), today)


def file_bytes(kind: str, f: Filters, today: date) -> bytes:
    """The ``kind`` ("xlsx" | "docx" | "pptx") file for filters ``f`` as of ``today``, from the current data."""
    url = data.database_url()
    return _file(kind, url, dataclasses.astuple(f), today, data.data_version_for_url(url))
