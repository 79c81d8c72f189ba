"""The command line, composed at the top of the layers (like app.py for the pages).

``python -m loaders`` (loaders/__main__.py, the entry point the contract names)
runs ``main``: ``check`` and ``template`` are the loaders' commands
(loaders.cli), ``ingest``, ``totals``, ``backup`` and ``restore`` storage's
(storage.cli); a new database gets its registry as the app gives it
(bootstrap.seeder).  Neither loaders nor storage imports this module.
"""

from __future__ import annotations

import sys

import bootstrap
import loaders.cli
import storage.cli

STORAGE_COMMANDS = {"ingest", "totals", "backup", "restore"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in STORAGE_COMMANDS:
        storage.cli.SEEDER = bootstrap.seeder()  # a new database gets its registry as the app gives it
        return storage.cli.main(argv)
    return loaders.cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
