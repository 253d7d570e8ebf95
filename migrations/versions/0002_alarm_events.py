"""The archiver's tables: revision of each archived alarm, and the audit trail of changes.

`alarm_history.rev` is the live state's revision counter of the alarm: the archiver replaces
a row only with a newer revision, so redelivered or reordered stream entries never roll an
alarm back. `alarm_events` holds one row per change (new, repeat, acknowledged, closed),
keyed by the Redis stream entry id so that a redelivered entry is recorded once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("alarm_history") as batch:
        batch.add_column(
            sa.Column(
                "rev",
                sa.Integer,
                nullable=False,
                server_default="0",
                comment="revision in the live state; 0: archived before revisions",
            )
        )
        batch.add_column(sa.Column("last_at", TS, comment="last repeat (or arrival)"))
        batch.add_column(
            sa.Column("dedupe", sa.Text, comment="source|place|category key that merges repeats")
        )
    op.create_table(
        "alarm_events",
        # SQLite makes only INTEGER PRIMARY KEY an autoincrementing rowid.
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("alarm_id", sa.String(64), nullable=False),
        sa.Column("op", sa.String(16), nullable=False, comment="new/repeat/acknowledged/closed"),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.Text, comment="ack_by / closed_by, else the source system"),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False, comment="JSON: the alarm after the change"),
        sa.Column("stream_id", sa.String(48), nullable=False, comment="Redis stream entry id"),
        sa.UniqueConstraint("stream_id", name="uq_alarm_events_stream_id"),
    )
    op.create_index("ix_alarm_events_alarm", "alarm_events", ["alarm_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_alarm_events_alarm", table_name="alarm_events")
    op.drop_table("alarm_events")
    with op.batch_alter_table("alarm_history") as batch:
        batch.drop_column("dedupe")
        batch.drop_column("last_at")
        batch.drop_column("rev")
