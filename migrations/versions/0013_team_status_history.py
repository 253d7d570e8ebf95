"""Every change of a rescue team's status, so that the past can be replayed.

The live state keeps a team's current status only (`se:team:status`); each change also goes
onto `se:stream:teams` in the same Redis transaction, and the archiver drains that stream
here. One row per change, keyed by the stream entry id so that a redelivered entry is
recorded once. A team's status at a moment is its newest row with `at` not later than it
(index `ix_team_status_history_team`); a team with no row by then was `ready`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "team_status_history",
        # SQLite makes only INTEGER PRIMARY KEY an autoincrementing rowid.
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="ready/dispatched/returning/off"),
        sa.Column("at", TS, nullable=False, comment="when the team entered the status"),
        sa.Column("actor", sa.Text, comment="who changed it, when known"),
        sa.Column("via", sa.String(64), comment="the path it came by (demo, ...)"),
        sa.Column("stream_id", sa.String(48), nullable=False, comment="Redis stream entry id"),
        sa.UniqueConstraint("stream_id", name="uq_team_status_history_stream_id"),
    )
    op.create_index("ix_team_status_history_team", "team_status_history", ["team_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_team_status_history_team", table_name="team_status_history")
    op.drop_table("team_status_history")
