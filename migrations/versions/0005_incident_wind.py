"""Wind at an incident: where a release drifts (the downwind sector of incident command mode).

Both columns are nullable: most incidents arrive without wind, and the incident page then
asks the operator for it. `wind_from_deg` is meteorological (the direction the wind comes
FROM, degrees clockwise from true north, 0-360); `wind_speed_ms` is in m/s.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(
            sa.Column("wind_from_deg", sa.Float, comment="wind direction (from), degrees, true")
        )
        batch.add_column(sa.Column("wind_speed_ms", sa.Float, comment="wind speed, m/s"))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("wind_speed_ms")
        batch.drop_column("wind_from_deg")
