"""The duty room's tables: shift handovers (交接班) and roll calls (点名) of the district duty rooms.

`duty_handover` records who handed over to whom and what (`notes`, JSON: the officer's notes
and the open alarms and incidents at that moment). A roll call is live in Redis while it runs;
`rollcall` and `rollcall_answers` keep the record of who was called and who answered when.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "duty_handover",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(8), nullable=False, comment="'city' or a district adcode"),
        sa.Column("at", TS, nullable=False),
        sa.Column("from_name", sa.Text, nullable=False, comment="交班人"),
        sa.Column("to_name", sa.Text, nullable=False, comment="接班人"),
        sa.Column("notes", sa.Text, nullable=False, server_default="{}", comment="JSON: what was handed over"),
        sa.Column("recorded_by", sa.Text),
    )
    op.create_index("ix_duty_handover_unit_at", "duty_handover", ["unit", "at"])
    op.create_table(
        "rollcall",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("started_by", sa.Text, nullable=False),
        sa.Column("deadline_s", sa.Integer, nullable=False, comment="seconds each room has to answer"),
        sa.Column("units", sa.Text, nullable=False, comment="JSON list of the units called"),
    )
    op.create_index("ix_rollcall_started", "rollcall", ["started_at"])
    op.create_table(
        "rollcall_answers",
        sa.Column("rollcall_id", sa.String(32), sa.ForeignKey("rollcall.id"), primary_key=True),
        sa.Column("unit", sa.String(8), primary_key=True),
        sa.Column("answered_at", TS, nullable=False),
        sa.Column("via", sa.String(8), nullable=False, comment="api (the room itself) / phone"),
        sa.Column("recorded_by", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("rollcall_answers")
    op.drop_index("ix_rollcall_started", table_name="rollcall")
    op.drop_table("rollcall")
    op.drop_index("ix_duty_handover_unit_at", table_name="duty_handover")
    op.drop_table("duty_handover")
