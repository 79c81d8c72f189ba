"""kill -9 at random moments of a bulk import leaves a consistent database (both backends)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storage_helpers import BACKENDS, consistency_problems, count_all, engine_for

HERE = Path(__file__).resolve().parent
RUNS = int(os.environ.get("KILL9_RUNS", "15"))
BUDGET_S = float(os.environ.get("KILL9_BUDGET_S", "150"))  # per backend


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_kill9_during_bulk_import_leaves_database_consistent(backend, tmp_path):
    for engine in engine_for(backend, tmp_path):
        url = engine.url.render_as_string(hide_password=False)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
        rnd = random.Random(9)
        deadline = time.monotonic() + BUDGET_S
        runs = killed_mid_run = 0
        previous = 0
        while runs < RUNS and time.monotonic() < deadline:
            runs += 1
            proc = subprocess.Popen(
                [sys.executable, str(HERE / "storage_helpers.py"), url, str(runs)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=HERE.parent,
            )
            assert proc.stdout.readline().strip() == b"READY", proc.stderr.read().decode()[-2000:]
            time.sleep(rnd.uniform(0.05, 1.2))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            progress = proc.stdout.read().count(b".")
            killed_mid_run += proc.returncode == -signal.SIGKILL
            assert consistency_problems(engine) == [], f"run {runs}"
            subs = count_all(engine)["submissions"]
            assert subs >= previous and subs - previous >= progress  # committed files stay committed
            previous = subs
        assert runs >= 3 and killed_mid_run == runs
        assert previous > 0  # the imports did store files between kills
