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


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """argon2id at a test cost in this process (the app's own cost is argon2-cffi's default:
    64 MiB and 3 passes, ~0.1-0.5 s a hash, which made the account tests take minutes). Hashes keep
    their parameters, so accounts hashed at either cost verify; tests/test_access.py checks the
    production hasher's parameters separately."""
    from argon2 import PasswordHasher

    import storage.accounts as accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
