"""The district duty rooms' check-ins, sampled, so that the wall's duty panel can be replayed.

The live state keeps each room's newest check-in only (`se:duty:checkin`, a hash of epoch
seconds). The archiver samples it between cycles and keeps a room's check-in when it is at
least a minute newer than the last one kept (`archiver/checkins.py`): a room that checks in
every 15 s costs 1,440 rows a day, not 5,760. A room's check-in at a moment is its newest
row with `at` not later than it, so a replayed room is at most a minute (and one sampling
interval) older than the live screen showed it; the window that makes a room 未应答 is
10 minutes. Unique by (unit, at): two archivers sampling the same check-in write one row.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "duty_checkin_history",
        # SQLite makes only INTEGER PRIMARY KEY an autoincrementing rowid; the retention purge
        # deletes by id in chunks.
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("unit", sa.String(16), nullable=False, comment="district adcode, or 'city'"),
        sa.Column("at", TS, nullable=False, comment="when the room checked in"),
        sa.UniqueConstraint("unit", "at", name="uq_duty_checkin_history_unit_at"),
    )
    op.create_index("ix_duty_checkin_history_at", "duty_checkin_history", ["at"])


def downgrade() -> None:
    op.drop_index("ix_duty_checkin_history_at", table_name="duty_checkin_history")
    op.drop_table("duty_checkin_history")
