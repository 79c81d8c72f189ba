"""First-start content: the sample ward's registry and its sample reports."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from storage.registry import import_registry, read_csv

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
log = logging.getLogger(__name__)


def seed_registry(engine: Engine, units_csv: Path | None = None, tasks_csv: Path | None = None) -> int:
    """Load units.csv and plan-tasks.csv (the sample ward) into the database; returns the ward id."""
    units = read_csv(units_csv or SAMPLE / "units.csv")
    tasks = read_csv(tasks_csv or SAMPLE / "plan-tasks.csv")
    with engine.begin() as conn:
        return import_registry(conn, units, tasks)


def seed_sample_reports(engine: Engine, out_dir: Path | None = None) -> list:
    """Generate the sample ward's reports and ingest each through the real check.

    Each report is stored with its own ``sent_at`` as the received time and its
    ``sender``.  Returns the ingest outcomes.
    """
    from sample_data.generate import generate
    from storage.ingest import ingest_bytes
    from storage.registry import load_registry

    registry = load_registry(engine)
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        reports = generate(Path(out_dir or tmp))
        for rep in sorted(reports, key=lambda r: r.sent_at):
            path = Path(rep.path)
            outcome = ingest_bytes(
                engine, path.read_bytes(), path.name, sender=rep.sender, received_at=rep.sent_at, registry=registry
            )
            if not outcome.result.accepted:
                log.warning("sample report refused: %s %s", path.name, [p.code for p in outcome.result.errors])
            outcomes.append(outcome)
    return outcomes
