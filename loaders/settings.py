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

from loaders.forms import ISSUING_BODY, WARD_NAME

DUE_DAY_MIN, DUE_DAY_MAX = 1, 28


@dataclass(frozen=True)
class WardSettings:
    ward_name: str = WARD_NAME  # as in "Phường Bạch Đằng"
    issuing_body: str = ISSUING_BODY  # the heading of templates and exports
    due_day: int = 25  # the report for month M is due on this day of month M (1-28)

    @property
    def committee(self) -> str:
        """The ward's Party Committee as named in sentences and file properties: "Đảng ủy phường Bạch Đằng"."""
        return f"Đảng ủy phường {self.ward_name}"

    @property
    def due_rule(self) -> str:
        """The due rule in words (templates' guide, pages): monthly reports by the due day of the month."""
        return (
            f"trước ngày {self.due_day} của tháng báo cáo (báo cáo quý: trước ngày {self.due_day} của tháng cuối quý)"
        )

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> WardSettings:
        """Settings from stored JSON; unknown keys are ignored, missing ones take the defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


# The declaration's defaults: what a command line or a page without a database uses.
DEFAULTS = WardSettings()
