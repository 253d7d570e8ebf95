"""An index on alarm_history(source, received_at): /governance and the panels' staleness ask,
per upstream system, for its newest archived message and its messages of the last 24 hours.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alarm_history_source_received", "alarm_history", ["source", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_alarm_history_source_received", table_name="alarm_history")
