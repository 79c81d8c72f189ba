"""Status and series colours for the pages: ``presentation.colours`` (Streamlit-free, shared with exports/)."""

from __future__ import annotations

from presentation.colours import (  # noqa: F401 - re-exported for the pages
    COMPLIANCE_COLORS,
    COMPLIANCE_ORDER,
    EXCUSED_COLOR,
    INVITED_COLOR,
    PRESENT_COLOR,
    PRIMARY,
    SEQUENCE,
    TASK_STATUS_COLORS,
    TASK_STATUS_ORDER,
    UNEXCUSED_COLOR,
    compliance_labels,
    compliance_map,
    task_status_labels,
    task_status_map,
)
