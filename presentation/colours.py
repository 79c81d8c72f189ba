"""One colour for each status, used by every chart and badge in the app."""

from __future__ import annotations

from presentation.format import label

# Task status (Biểu 01 vocabulary keys plus the derived "overdue").
TASK_STATUS_COLORS = {
    "done": "#2E9E5B",  # green
    "in_progress": "#2F7ED8",  # blue
    "not_started": "#9AA5B1",  # grey
    "overdue": "#D64545",  # red
    "ongoing": "#7A5BA6",  # violet: recurring tasks, never "done"
    "as_needed": "#B9A6D6",  # light violet: tasks done when the need arises
    "no_report": "#E3E7EB",  # very light grey: nothing reported
}

# Reporting compliance.
COMPLIANCE_COLORS = {
    "on_time": "#2E9E5B",  # green, as "done"
    "late": "#F0A030",  # amber
    "missing": "#D64545",  # red, as "overdue"
    "not_due": "#C9D1D9",  # light grey
}

TASK_STATUS_ORDER = ["done", "in_progress", "not_started", "overdue", "ongoing", "as_needed", "no_report"]
COMPLIANCE_ORDER = ["on_time", "late", "missing", "not_due"]

# Neutral series colours (channels, topics, groups...).
PRIMARY = "#B3261E"  # the Party red, used sparingly for headline series
SEQUENCE = [
    "#1F5FA8",
    "#E08A1E",
    "#3A9D8F",
    "#B3261E",
    "#7A5BA6",
    "#6C8E2F",
    "#C2577E",
    "#5B6770",
]
PRESENT_COLOR = "#2E9E5B"
EXCUSED_COLOR = "#F0A030"
UNEXCUSED_COLOR = "#D64545"
INVITED_COLOR = "#C9D1D9"


def task_status_map() -> dict[str, str]:
    """Vietnamese label -> colour, for plotly ``color_discrete_map``."""
    return {label("status", k): c for k, c in TASK_STATUS_COLORS.items()}


def compliance_map() -> dict[str, str]:
    return {label("compliance", k): c for k, c in COMPLIANCE_COLORS.items()}


def task_status_labels() -> list[str]:
    return [label("status", k) for k in TASK_STATUS_ORDER]


def compliance_labels() -> list[str]:
    return [label("compliance", k) for k in COMPLIANCE_ORDER]
