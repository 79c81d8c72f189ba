"""Vietnamese formatting for the pages: ``presentation.format`` (Streamlit-free, shared with exports/)."""

from __future__ import annotations

from presentation.format import (  # noqa: F401 - re-exported for the pages
    EXTRA_LABELS,
    ROMAN,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_number,
    fmt_percent,
    fmt_period,
    fmt_period_short,
    fmt_signed,
    label,
    lead_label,
    parse_number,
    shorten,
    vocab_labels,
)
