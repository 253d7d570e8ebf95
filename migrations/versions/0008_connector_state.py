"""Where each pulling connector has got to: its watermark, committed after the batch's writes.

At merge: `down_revision` is the newest revision then ("0007" when h6's upstream systems land).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connector_state",
        sa.Column("name", sa.String(64), primary_key=True, comment="e.g. dbpull:emergency"),
        sa.Column("watermark", sa.Text, nullable=False, comment="JSON: the last row taken"),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("connector_state")
