"""``python -m loaders``: the entry point the contract names.

The command line itself is composed above the layers, in commands.py (loaders'
check/template and storage's ingest/totals/backup/restore); this entry point
only runs it, so no module of the loaders package imports storage.
"""

from __future__ import annotations

import sys

from commands import STORAGE_COMMANDS, main  # noqa: F401 - the entry point runs the composed command line

if __name__ == "__main__":
    sys.exit(main())
