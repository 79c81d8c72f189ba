"""ward setup (issue 11): plans, unit aliases and retirement, reporting rules, ward settings, registry history

Tasks belong to a plan (unique code per plan, not per ward); every ward that
already has tasks gets one current plan holding them, and its stored Biểu 01
forms point at that plan.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ALL_FORMS = "tasks,propaganda,attendance"


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ward_id"], ["wards.id"], name=op.f("fk_plans_ward_id_wards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("ward_id", "code", name=op.f("uq_plans_ward_id_code")),
    )
    op.create_table(
        "unit_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_aliases_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_aliases")),
        sa.UniqueConstraint("unit_id", "name", name=op.f("uq_unit_aliases_unit_id_name")),
    )
    op.create_table(
        "ward_settings",
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ward_id"], ["wards.id"], name=op.f("fk_ward_settings_ward_id_wards")),
        sa.PrimaryKeyConstraint("ward_id", name=op.f("pk_ward_settings")),
    )
    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_key", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["ward_id"], ["wards.id"], name=op.f("fk_registry_changes_ward_id_wards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    op.create_index("ix_registry_changes_ward_at", "registry_changes", ["ward_id", "at"], unique=False)

    with op.batch_alter_table("unit_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forms", sa.String(length=100), nullable=False, server_default=ALL_FORMS))
        batch_op.add_column(sa.Column("cadence", sa.String(length=10), nullable=False, server_default="month"))
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_units_merged_into_id_units"), "units", ["merged_into_id"], ["id"])
    with op.batch_alter_table("submission_forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_submission_forms_plan_id_plans"), "plans", ["plan_id"], ["id"])
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))

    # Every ward with tasks gets one current plan holding them (its stored Biểu 01 forms too).
    conn = op.get_bind()
    plans = sa.table(
        "plans",
        sa.column("id", sa.Integer),
        sa.column("ward_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("title", sa.Text),
        sa.column("number", sa.String),
        sa.column("issued_on", sa.Date),
        sa.column("is_current", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    tasks = sa.table("tasks", sa.column("ward_id", sa.Integer), sa.column("plan_id", sa.Integer))
    forms = sa.table(
        "submission_forms", sa.column("ward_id", sa.Integer), sa.column("form", sa.String), sa.column("plan_id")
    )
    for (wid,) in conn.execute(sa.select(tasks.c.ward_id).distinct()).all():
        conn.execute(
            plans.insert().values(
                ward_id=wid, code="KH1", title="", number="", issued_on=None, is_current=True, position=0
            )
        )
        pid = conn.execute(sa.select(plans.c.id).where(plans.c.ward_id == wid, plans.c.code == "KH1")).scalar_one()
        conn.execute(tasks.update().where(tasks.c.ward_id == wid).values(plan_id=pid))
        conn.execute(forms.update().where(forms.c.ward_id == wid, forms.c.form == "tasks").values(plan_id=pid))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_tasks_ward_id_code", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tasks_plan_id_code"), ["plan_id", "code"])
        batch_op.create_foreign_key(batch_op.f("fk_tasks_plan_id_plans"), "plans", ["plan_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tasks_plan_id_plans"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_tasks_plan_id_code"), type_="unique")
        batch_op.create_unique_constraint("uq_tasks_ward_id_code", ["ward_id", "code"])
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("submission_forms", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_submission_forms_plan_id_plans"), type_="foreignkey")
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_units_merged_into_id_units"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("retired_on")
    with op.batch_alter_table("unit_groups", schema=None) as batch_op:
        batch_op.drop_column("cadence")
        batch_op.drop_column("forms")
    op.drop_index("ix_registry_changes_ward_at", table_name="registry_changes")
    op.drop_table("registry_changes")
    op.drop_table("ward_settings")
    op.drop_table("unit_aliases")
    op.drop_table("plans")
