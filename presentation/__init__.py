"""Presentation shared by the dashboard (ui/) and the meeting files (exports/), with no Streamlit.

``presentation.format``: Vietnamese numbers (1.234,5), dates (dd/mm/yyyy),
periods and vocabulary labels; ``presentation.colours``: one colour per status
and the series colours.  ui/ and exports/ both import these; neither imports
the other.
"""
