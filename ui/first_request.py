"""The server's first request, when it is a link to a page (e.g. ``/tien-do``).

Streamlit 1.67 decides once per process whether the app is a classic multipage app:
``PagesManager.uses_pages_directory`` is True while a ``pages/`` folder exists and no
``st.navigation`` call has run yet.  Until then every run goes through
``script_runner._mpa_v1``, which matches the requested address against the *file names*
in ``pages/`` and, finding none, sends ``page_not_found`` (the "Page not found" dialog)
before app.py has even started.  That happens for the first request of a server (and, when
the first run used to seed for half a minute, for every link opened meanwhile).

So ``pages/`` holds one tiny file per address of the app (``pages/tien-do.py`` ...): the
classic matcher finds it, and it runs app.py, whose ``st.navigation`` takes over (and
switches the classic mode off for the rest of the process).  tests/test_first_request.py
checks that every address declared in app.py has its file.
"""

from __future__ import annotations

import runpy
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def run_app() -> None:
    """Run app.py as the main script would be run."""
    runpy.run_path(str(APP), run_name="__main__")
