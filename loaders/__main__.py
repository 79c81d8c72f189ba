"""``python -m loaders``: check, template, and (handed to storage) ingest/totals/backup/restore."""

from __future__ import annotations

import sys

STORAGE_COMMANDS = {"ingest", "totals", "backup", "restore"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in STORAGE_COMMANDS:
        # The only place loaders reaches into storage: the command line the contract names.
        import storage.cli
        from bootstrap import seeder

        storage.cli.SEEDER = seeder()  # a new database gets its registry as the app gives it
        return storage.cli.main(argv)
    from loaders.cli import main as loaders_main

    return loaders_main(argv)


if __name__ == "__main__":
    sys.exit(main())
