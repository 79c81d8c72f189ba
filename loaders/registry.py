"""The registry of reporting units and plan tasks, and fuzzy matching against it.

There is no implicit registry: the app and the command line read the ward's
registry from the database (``storage.registry.load_registry``), which builds
``Registry(units=[...], tasks=[...], plan=...)``; ``Registry.from_csv`` reads a
pair of CSV files in the sample ward's layout (``sample_data.sample_registry``).
A unit's ``aliases`` (former names, names of units merged into it) are matched
like its name.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from loaders.text import clean, fold

# Abbreviations units use in their names (folded): expanded before comparing.
_ABBREVIATIONS = {
    "cb": "chi bo",
    "db": "dang bo",
    "kdc": "khu dan cu",
    "tdp": "to dan pho",
    "ub": "uy ban",
    "ubnd": "uy ban nhan dan",
    "mttq": "mat tran to quoc",
    "tn": "thanh nien",
    "lhpn": "lien hiep phu nu",
    "ccb": "cuu chien binh",
    "nd": "nong dan",
    "vp": "van phong",
    "mn": "mam non",
    "th": "tieu hoc",
}
# Words that carry no identity in a unit name.
_NOISE = {"so", "phuong", "bach", "dang", "viet", "nam", "cong", "san", "ho", "chi", "minh"}
_NOISE_KEEP_PAIRS = ("chi bo", "dang bo", "ho chi minh")


def _split_alnum(text: str) -> str:
    """'kdc03' -> 'kdc 03'; 't02' -> 't 02'."""
    return re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)


def unit_key(text: object) -> str:
    """Canonical comparison form of a unit name: folded, abbreviations expanded, numbers unpadded."""
    words = _split_alnum(fold(text)).split()
    out: list[str] = []
    for w in words:
        if w.isdigit():
            out.append(str(int(w)))
        else:
            out.extend(_ABBREVIATIONS.get(w, w).split())
    return " ".join(out)


def _core(key: str) -> str:
    """A unit key without the words every unit shares ('chi bo', 'phuong', 'so'...)."""
    for pair in _NOISE_KEEP_PAIRS:
        key = key.replace(pair, " ")
    return " ".join(w for w in key.split() if w not in _NOISE)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    short_name: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    code: str
    text: str
    lead: list[str] = field(default_factory=list, hash=False)
    support: list[str] = field(default_factory=list, hash=False)
    due: dt.date | None = None
    cadence: str = "once"
    plan_ref: str = ""


def _split_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(";") if p.strip()]


class Registry:
    def __init__(
        self,
        units: list[Unit],
        tasks: list[Task],
        plan: str = "",
        group_forms: dict[str, tuple[str, ...]] | None = None,
    ):
        self.units = list(units)
        self.tasks = list(tasks)
        self.plan = plan  # the code of the plan the tasks belong to ("" when unknown)
        # group name -> the form keys its units send (the ward's reporting rule); absent: every form
        self.group_forms = dict(group_forms or {})
        self.units_by_code = {u.code: u for u in self.units}
        self.tasks_by_code = {t.code: t for t in self.tasks}

    # ---------------------------------------------------------------- loading
    @classmethod
    def from_csv(cls, units_path: str | Path, tasks_path: str | Path) -> Registry:
        with open(units_path, encoding="utf-8-sig", newline="") as fh:
            units = [
                Unit(
                    code=r["code"].strip(),
                    name=clean(r["name"]),
                    group=clean(r["group"]),
                    short_name=clean(r.get("short_name") or ""),
                )
                for r in csv.DictReader(fh)
                if (r.get("code") or "").strip()
            ]
        with open(tasks_path, encoding="utf-8-sig", newline="") as fh:
            tasks = [
                Task(
                    code=r["code"].strip(),
                    text=clean(r["task"]),
                    lead=_split_list(r.get("lead")),
                    support=_split_list(r.get("support")),
                    due=dt.date.fromisoformat(r["due"].strip()) if (r.get("due") or "").strip() else None,
                    cadence=(r.get("cadence") or "once").strip(),
                    plan_ref=clean(r.get("plan_ref") or ""),
                )
                for r in csv.DictReader(fh)
                if (r.get("code") or "").strip()
            ]
        return cls(units, tasks)

    def forms_for(self, unit_code: str) -> tuple[str, ...] | None:
        """The form keys the unit's group sends, or None when every form (no rule for its group)."""
        unit = self.units_by_code.get(unit_code)
        return self.group_forms.get(unit.group) if unit else None

    # ---------------------------------------------------------------- tasks
    def assigned_tasks(self, unit_code: str) -> list[Task]:
        """Tasks whose lead or support names the unit's code, its group, or ALL."""
        unit = self.units_by_code.get(unit_code)
        names = {unit_code, "ALL"} | ({unit.group} if unit else set())
        return [t for t in self.tasks if names & set(t.lead + t.support)]

    @cached_property
    def _task_keys(self) -> list[tuple[str, str, set[str]]]:
        return [(t.code, fold(t.text), set(fold(t.text).split())) for t in self.tasks]

    def match_task(self, text: object, *, threshold: float = 0.6, margin: float = 0.08) -> tuple[str | None, list[str]]:
        """Task code for a task's content (code blank).  Returns (code, candidates).

        Score = max(difflib ratio, share of the task's words present in the text).
        Two candidates within ``margin`` of each other: (None, [both]).  None above
        ``threshold``: (None, []).
        """
        key = fold(text)
        if not key:
            return None, []
        return self._match_task_key(key, threshold, margin)

    @lru_cache(maxsize=4096)  # noqa: B019 - one registry lives as long as its tasks
    def _match_task_key(self, key: str, threshold: float, margin: float) -> tuple[str | None, list[str]]:
        words = set(key.split())
        scored = []
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(key)
        floor = threshold - margin
        for code, task_key, task_words in self._task_keys:
            overlap = len(words & task_words) / max(len(task_words | words), 1)
            contained = len(words & task_words) / max(len(words), 1) if len(words) >= 4 else 0.0
            score = max(overlap, contained * 0.9)
            matcher.set_seq1(task_key)
            if matcher.real_quick_ratio() > max(score, floor) and matcher.quick_ratio() > max(score, floor):
                score = max(score, matcher.ratio())
            scored.append((score, code))
        scored.sort(reverse=True)
        good = [(s, c) for s, c in scored if s >= threshold]
        if not good:
            return None, []
        if len(good) > 1 and good[0][0] - good[1][0] < margin:
            return None, [good[0][1], good[1][1]]
        return good[0][1], [good[0][1]]

    # ---------------------------------------------------------------- units
    @cached_property
    def _unit_aliases(self) -> list[tuple[str, str]]:
        """(alias key, unit code), longest first."""
        aliases: set[tuple[str, str]] = set()
        for u in self.units:
            for spelling in (u.name, u.short_name, u.code, *u.aliases):
                if not spelling:
                    continue
                aliases.add((fold(spelling), u.code))
                k = unit_key(spelling)
                aliases.add((k, u.code))
                for prefix in ("chi bo ", "dang bo "):
                    if k.startswith(prefix) and len(k) > len(prefix) + 4:
                        aliases.add((k[len(prefix) :], u.code))
                if k.endswith(" phuong"):
                    aliases.add((k[: -len(" phuong")], u.code))
        return sorted(aliases, key=lambda a: -len(a[0]))

    def match_unit(
        self, text: object, *, cutoff: float = 0.82, margin: float = 0.04, fuzzy: bool = True
    ) -> tuple[str | None, list[str]]:
        """Unit code for a name as written.  Returns (code, candidates).

        Exact (folded, abbreviations expanded, "số 03" = "3") on name, short
        name or code; then a unit mentioned inside the text (file names, long
        lines); then difflib on the canonical keys.  Two close candidates:
        (None, [code1, code2]); none: (None, []).
        """
        return self._match_unit(fold(text), cutoff, margin, fuzzy)

    @lru_cache(maxsize=4096)  # noqa: B019 - one registry lives as long as its units
    def _match_unit(self, folded: str, cutoff: float, margin: float, fuzzy: bool) -> tuple[str | None, list[str]]:
        key = unit_key(folded)
        if not key:
            return None, []
        for alias, code in self._unit_aliases:
            if alias in (key, folded):
                return code, [code]
        # mentioned inside a longer text: the longest alias wins
        padded = f" {key} "
        found: dict[str, int] = {}
        for alias, code in self._unit_aliases:
            if len(alias) >= 3 and f" {alias} " in padded:
                found[code] = max(found.get(code, 0), len(alias))
        if found:
            best = sorted(found.items(), key=lambda kv: -kv[1])
            if len(best) == 1 or best[0][1] > best[1][1]:
                return best[0][0], [best[0][0]]
            return None, [best[0][0], best[1][0]]
        if not fuzzy:
            return None, []
        # a partial name that several units' names contain ("Chi bộ Trường"): ask
        core = _core(key)
        if core:
            words = set(core.split())
            holders = sorted({code for alias, code in self._unit_aliases if words <= set(alias.split())})
            if len(holders) > 1:
                return None, holders[:2]
            if len(holders) == 1:
                return holders[0], holders
        # fuzzy on the canonical key and on the key without shared words
        scores: dict[str, float] = {}
        numbers = re.findall(r"\d+", key)
        for alias, code in self._unit_aliases:
            if numbers and re.findall(r"\d+", alias) != numbers:
                continue  # "số 21" is never "số 2"
            s = difflib.SequenceMatcher(None, key, alias, autojunk=False).ratio()
            if core and _core(alias):
                s = max(s, difflib.SequenceMatcher(None, core, _core(alias), autojunk=False).ratio())
            scores[code] = max(scores.get(code, 0.0), s)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < cutoff:
            close = [c for c, s in ranked[:2] if s >= cutoff - 0.15]
            if len(close) == 2 and abs(ranked[0][1] - ranked[1][1]) < margin:
                return None, close
            return None, []
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
            return None, [ranked[0][0], ranked[1][0]]
        return ranked[0][0], [ranked[0][0]]

    def unit_label(self, code: str | None) -> str:
        unit = self.units_by_code.get(code or "")
        return f"{unit.name} ({unit.code})" if unit else (code or "—")
