"""The database schema (SQLAlchemy 2 declarative models).

Organisation: city -> ward -> unit (plus unit groups inside a ward), so one
deployment can hold many wards.  Plan tasks belong to a ward and are assigned
to units (lead/support) resolved from unit codes, group names or ``ALL``.

Reports: a ``Submission`` is one stored file (bytes in ``blobs``, keyed by
SHA-256).  Each form found in it is a ``SubmissionForm`` carrying the version
of that form for (unit, period, form); exactly one version of each
(unit, period, form) is current (a partial unique index enforces it).  The
normalised rows of each form point at their ``SubmissionForm`` and keep the
sheet and Excel row; the column letters are in ``SubmissionForm.columns``,
so every figure traces to submission, file and cell.

Schema changes go through Alembic (storage/migrations); never edit a shipped
migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from loaders.forms import FORMS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FORM_KEYS = tuple(f.key for f in FORMS)  # the declared forms (loaders.forms), for the registry's groups


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --------------------------------------------------------------------------
# Organisation
# --------------------------------------------------------------------------


class City(Base):
    __tablename__ = "cities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Ward(Base):
    __tablename__ = "wards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class UnitGroup(Base):
    """A group of units; carries the reporting rule of its units (which forms, how often)."""

    __tablename__ = "unit_groups"
    __table_args__ = (UniqueConstraint("ward_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    forms: Mapped[str] = mapped_column(String(100), default="tasks,propaganda,attendance")  # forms its units send
    cadence: Mapped[str] = mapped_column(String(10), default="month")  # month | quarter


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("ward_id", "code"), Index("ix_units_group", "group_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_groups.id"), nullable=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired (or merged into another unit) on this day: expected before it, not from it on.
    retired_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)


class UnitAlias(Base):
    """Another name files may use for a unit: a former name, or the name of a unit merged into it."""

    __tablename__ = "unit_aliases"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Plan(Base):
    """A plan the ward tracks (title, number, date); its tasks belong to it. One is current."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("ward_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[str] = mapped_column(String(100), default="")  # "Kế hoạch số 12-KH/ĐU"
    issued_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class WardSetting(Base):
    """The ward's settings (``loaders.settings.WardSettings`` as JSON)."""

    __tablename__ = "ward_settings"
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RegistryChange(Base):
    """One change of the registry (units, groups, plans, tasks, rules): who, when, before and after."""

    __tablename__ = "registry_changes"
    __table_args__ = (Index("ix_registry_changes_ward_at", "ward_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(50))  # unit.add | unit.rename | unit.merge | task.edit | ...
    entity: Mapped[str] = mapped_column(String(50))  # unit | group | plan | task | settings | ward
    entity_key: Mapped[str] = mapped_column(String(100), default="")  # the code or name it concerns
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    code: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text, default="")  # as written: codes, group names or ALL, ";"-separated
    support: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_text: Mapped[str] = mapped_column(String(100), default="")
    cadence: Mapped[str] = mapped_column(String(20), default="once")  # once | ongoing | as_needed
    plan_ref: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskAssignee(Base):
    """A task's lead/support spec resolved to units."""

    __tablename__ = "task_assignees"
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)  # lead | support


# --------------------------------------------------------------------------
# Periods, files, submissions
# --------------------------------------------------------------------------


class Period(Base):
    """A reporting period: a month ("2026-02") or a quarter ("2026-Q1").

    ``month`` is the month a report is attributed to in month-range filters
    and month groupings: the month itself, or the last month of a quarter.
    """

    __tablename__ = "periods"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # month | quarter
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # month 1..12 or quarter 1..4
    month: Mapped[str] = mapped_column(String(7))  # attribution month "YYYY-MM"
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class Blob(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Submission(Base):
    """One stored file: who sent it, when, for which unit and period."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_unit_period", "unit_id", "period_id"),
        Index("ix_submissions_ward_period", "ward_id", "period_id", "unit_id", "received_at"),
        Index("ix_submissions_ward_received", "ward_id", "received_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime)
    forms: Mapped[str] = mapped_column(String(100))  # "tasks,propaganda,attendance" (the forms found)
    form_count: Mapped[int] = mapped_column(Integer)  # how many submission_forms rows belong to it
    unit_source: Mapped[str] = mapped_column(String(300), default="")
    period_source: Mapped[str] = mapped_column(String(300), default="")
    warnings: Mapped[Any] = mapped_column(JSON, default=list)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # who sent it (issue 12)


class SubmissionForm(Base):
    """One form of a submission: the versioned unit of replacement."""

    __tablename__ = "submission_forms"
    __table_args__ = (
        UniqueConstraint("unit_id", "period_id", "form", "version"),
        Index(
            "uq_submission_forms_current",
            "unit_id",
            "period_id",
            "form",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_submission_forms_lookup", "ward_id", "form", "is_current", "month", "unit_id"),
        Index("ix_submission_forms_submission", "submission_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    month: Mapped[str] = mapped_column(String(7))  # the period's attribution month
    form: Mapped[str] = mapped_column(String(20))  # tasks | propaganda | attendance
    # Biểu 01 only: the plan whose tasks it was checked against (reports of different plans stay apart).
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    row_count: Mapped[int] = mapped_column(Integer)
    sheet: Mapped[str] = mapped_column(String(200))
    header_row: Mapped[int] = mapped_column(Integer)
    columns: Mapped[Any] = mapped_column(JSON)  # field key -> column letter


# --------------------------------------------------------------------------
# Normalised rows of each form
# --------------------------------------------------------------------------


class TaskRow(Base):
    __tablename__ = "task_rows"
    __table_args__ = (Index("ix_task_rows_form", "submission_form_id", "task_code", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_form_id: Mapped[int] = mapped_column(ForeignKey("submission_forms.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True)
    task_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    task_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_text: Mapped[str | None] = mapped_column(String(100), nullable=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    sheet: Mapped[str] = mapped_column(String(200))
    row: Mapped[int] = mapped_column(Integer)


class Obstacle(Base):
    """A non-empty "Khó khăn, vướng mắc" cell of Biểu 01, with its handling."""

    __tablename__ = "obstacles"
    __table_args__ = (Index("ix_obstacles_form", "submission_form_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_form_id: Mapped[int] = mapped_column(ForeignKey("submission_forms.id", ondelete="CASCADE"))
    task_row_id: Mapped[int] = mapped_column(ForeignKey("task_rows.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    handled: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PropagandaRow(Base):
    __tablename__ = "propaganda_rows"
    __table_args__ = (Index("ix_propaganda_rows_form", "submission_form_id", "channel", "topic", "quantity", "reach"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_form_id: Mapped[int] = mapped_column(ForeignKey("submission_forms.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    topic: Mapped[str | None] = mapped_column(String(30), nullable=True)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    measure_unit: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reach: Mapped[int | None] = mapped_column(Integer, nullable=True)
    date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    sheet: Mapped[str] = mapped_column(String(200))
    row: Mapped[int] = mapped_column(Integer)


class AttendanceRow(Base):
    __tablename__ = "attendance_rows"
    __table_args__ = (
        Index("ix_attendance_rows_form", "submission_form_id", "participant_group", "invited", "present"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_form_id: Mapped[int] = mapped_column(ForeignKey("submission_forms.id", ondelete="CASCADE"))
    event: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    format: Mapped[str | None] = mapped_column(String(20), nullable=True)
    participant_group: Mapped[str | None] = mapped_column(String(30), nullable=True)
    invited: Mapped[int | None] = mapped_column(Integer, nullable=True)
    present: Mapped[int | None] = mapped_column(Integer, nullable=True)
    absent_excused: Mapped[int | None] = mapped_column(Integer, nullable=True)
    absent_unexcused: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    sheet: Mapped[str] = mapped_column(String(200))
    row: Mapped[int] = mapped_column(Integer)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(50))  # ingest | replace | obstacle_handled | restore | ...
    entity: Mapped[str] = mapped_column(String(50), default="")
    entity_id: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    # The account that acted (None: the command line, a migration, or before accounts existed).
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


# --------------------------------------------------------------------------
# Accounts, sessions, review (issue 12; migration 0003)
# --------------------------------------------------------------------------


class Account(Base):
    """A person who logs in. ``role``: leader | office | unit (storage.accounts.ROLES)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, unique=True)  # OIDC mapping
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)  # argon2id; None: OIDC only
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # a sample-ward account with a published password
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    upload_limit_count: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: the policy's default
    upload_limit_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AccountUnit(Base):
    """The units a unit-staff account may send for and see."""

    __tablename__ = "account_units"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)


class AuthSession(Base):
    """A login: only the SHA-256 of the browser's random token is kept."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_account", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # absolute end, whatever the activity


class SubmissionReview(Base):
    """The office's decision on a stored file: received (locks it) or returned (with a reason)."""

    __tablename__ = "submission_reviews"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # received | returned | reopened
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class PeriodClosure(Base):
    """A reporting period the office has closed: nothing more may be sent for it."""

    __tablename__ = "period_closures"
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


# Tables in dependency order (parents first): used by backup/restore and tests.
TABLES_IN_ORDER = [t.name for t in Base.metadata.sorted_tables]
ROW_TABLES = {"tasks": "task_rows", "propaganda": "propaganda_rows", "attendance": "attendance_rows"}
