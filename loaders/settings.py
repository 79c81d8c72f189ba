"""Ward policy in one place: the ward's names and its reporting due day.

``WardSettings`` is passed in explicitly wherever the policy matters (titles of
templates and exports, the due day of compliance); the database keeps one per
ward (``storage.settings.load_settings`` / ``save_settings``).  The defaults are
the sample ward's (Bạch Đằng).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

DUE_DAY_MIN, DUE_DAY_MAX = 1, 28


@dataclass(frozen=True)
class WardSettings:
    ward_name: str = "Bạch Đằng"  # as in "Phường Bạch Đằng"
    issuing_body: str = "ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG"  # the heading of templates and exports
    due_day: int = 25  # the report for month M is due on this day of month M (1-28)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> WardSettings:
        """Settings from stored JSON; unknown keys are ignored, missing ones take the defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})
