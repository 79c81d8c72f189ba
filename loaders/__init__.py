"""Spreadsheets and the report forms: check a workbook, write a template.

check_bytes(data, filename, *, registry=None, today=None) -> CheckResult
check_path(path, *, registry=None, today=None) -> CheckResult
Registry, Unit, Task
"""

from loaders.check import check_bytes, check_path
from loaders.registry import Registry, Task, Unit
from loaders.result import CheckResult, FormData, FoundValue, Problem

__all__ = ["CheckResult", "FormData", "FoundValue", "Problem", "Registry", "Task", "Unit", "check_bytes", "check_path"]
