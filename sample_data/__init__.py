"""The sample ward: the registry CSVs and a deterministic generator of a year of unit reports.

See ``sample_data/README.md`` and ``sample_data.generate``.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
UNITS_CSV = SAMPLE_DIR / "units.csv"
TASKS_CSV = SAMPLE_DIR / "plan-tasks.csv"
# The sample ward's plan (the one its tasks belong to).
PLAN = {
    "code": "KH12",
    "number": "Kế hoạch số 12-KH/ĐU",
    "title": "Quán triệt, tuyên truyền và triển khai thực hiện Nghị quyết của Ban Chấp hành Đảng bộ thành phố "
    "về xây dựng mô hình Chủ nghĩa xã hội gắn với con người Xã hội chủ nghĩa tại Hải Phòng",
}


def sample_registry():
    """The sample ward's registry (units.csv + plan-tasks.csv) as a ``loaders.registry.Registry``."""
    from loaders.registry import Registry

    reg = Registry.from_csv(UNITS_CSV, TASKS_CSV)
    reg.plan = PLAN["code"]
    return reg
