"""Task names beside task codes: a reader sees "NV03 · Tổ chức hội nghị quán triệt…", never a bare code."""

from __future__ import annotations

import pandas as pd

from storage.queries import Filters
from ui import data


def task_names(f: Filters) -> dict[str, str]:
    """Task code -> the plan's wording of the task, for the plan in view."""
    timeline = data.task_timeline(f)
    if timeline is None or timeline.empty:
        return {}
    return dict(zip(timeline["task_code"].astype(str), timeline["task"].astype(str), strict=False))


def with_task_name(
    frame: pd.DataFrame, names: dict[str, str], code: str = "task_code", out: str = "task"
) -> pd.DataFrame:
    """``frame`` with column ``out`` holding each task's name (the code itself when the plan has no such task;
    an existing non-empty value is kept)."""
    looked_up = [names.get(str(c), "") if c is not None and c == c else "" for c in frame[code]]
    if out in frame:
        kept = [v if isinstance(v, str) and v.strip() else n for v, n in zip(frame[out], looked_up, strict=True)]
        return frame.assign(**{out: kept})
    return frame.assign(**{out: looked_up})


def code_and_name(code: object, names: dict[str, str], width: int | None = None) -> str:
    """ "NV03 · Tổ chức hội nghị…" (the name cut to ``width`` characters when given)."""
    c = "" if code is None else str(code)
    name = names.get(c, "")
    if width and len(name) > width:
        name = name[: width - 1].rstrip() + "…"
    return f"{c} · {name}" if name else c
