"""Colours and fonts shared by the three exported files.

The status colours come from ``presentation.colours`` (Streamlit-free) so that a status
has the same colour on the dashboard, in Excel, Word and PowerPoint. Here
they are written without "#", the way openpyxl and python-pptx want them.
"""

from __future__ import annotations

from presentation import colours as _ut

FONT = "Times New Roman"  # administrative documents (Word)
SLIDE_FONT = "Arial"  # slides: sans-serif reads better at a distance

PRIMARY = _ut.PRIMARY.lstrip("#")  # the Party red, titles
ACCENT = "1F4E79"  # dark blue, headers
HEADER_FILL = "DDEBF7"  # table header background
TEXT = "222222"
MUTED = "666666"

STATUS_COLORS = {k: v.lstrip("#") for k, v in _ut.TASK_STATUS_COLORS.items()}
COMPLIANCE_COLORS = {k: v.lstrip("#") for k, v in _ut.COMPLIANCE_COLORS.items()}
SERIES_COLORS = tuple(c.lstrip("#") for c in _ut.SEQUENCE)
PRESENT_COLOR = _ut.PRESENT_COLOR.lstrip("#")
INVITED_COLOR = _ut.INVITED_COLOR.lstrip("#")
