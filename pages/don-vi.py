"""/don-vi on a server's first request: runs app.py (see ui/first_request.py)."""

from ui.first_request import run_app

run_app()
