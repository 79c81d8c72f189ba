"""One colour for each status, used by every chart and badge in the app.

The status palettes stay apart for the common colour-vision deficiencies (deuteranomaly,
protanomaly, tritanomaly at full severity, simulated with colorspacious): tests/test_palette.py
keeps every pair at least 12 CAM02-UCS units apart. Colour is never the only cue: every chart
names its statuses in a legend or a label."""

from __future__ import annotations

from presentation.format import label

# Task status (Biểu 01 vocabulary keys plus the derived "overdue").
TASK_STATUS_COLORS = {
    "done": "#1E6B52",  # dark green
    "in_progress": "#1483EE",  # bright blue
    "not_started": "#A89F94",  # warm grey
    "overdue": "#D43418",  # vermilion red
    "ongoing": "#713A7F",  # dark violet: recurring tasks, never "done"
    "as_needed": "#E0B8F0",  # light violet: tasks done when the need arises
    "no_report": "#EEF1F4",  # very light grey: nothing reported
}

# Reporting compliance.
COMPLIANCE_COLORS = {
    "on_time": "#1E6B52",  # dark green, as "done"
    "late": "#E6A817",  # amber
    "missing": "#D43418",  # red, as "overdue"
    "not_due": "#D0D5DB",  # light grey
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
PRESENT_COLOR = "#1E6B52"
EXCUSED_COLOR = "#E6A817"
UNEXCUSED_COLOR = "#D43418"
INVITED_COLOR = "#D0D5DB"


def task_status_map() -> dict[str, str]:
    """Vietnamese label -> colour, for plotly ``color_discrete_map``."""
    return {label("status", k): c for k, c in TASK_STATUS_COLORS.items()}


def compliance_map() -> dict[str, str]:
    return {label("compliance", k): c for k, c in COMPLIANCE_COLORS.items()}


def task_status_labels() -> list[str]:
    return [label("status", k) for k in TASK_STATUS_ORDER]


def compliance_labels() -> list[str]:
    return [label("compliance", k) for k in COMPLIANCE_ORDER]
