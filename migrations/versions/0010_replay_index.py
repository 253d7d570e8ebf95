"""An index on alarm_history(closed_at): replaying the wall at a moment (`/wall?at=`) starts
from the alarms not closed now (closed_at IS NULL) and those closed after the moment's window
of closed alarms (closed_at > ...), two range reads of this index instead of the whole table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alarm_history_closed", "alarm_history", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_alarm_history_closed", table_name="alarm_history")
