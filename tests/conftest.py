"""Shared test settings. Helpers that build files live in tests/*_helpers.py modules."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "calamine-tests"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT
