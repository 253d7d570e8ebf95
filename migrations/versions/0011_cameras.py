"""The registry of cameras: who owns each, where it looks, and where its stream is.

A camera belongs to an owner (the enterprise, or a bureau: 公安, 交通, 应急) and optionally to a
site (`site_id`: the enterprise or hazard source it watches). Its stream is HLS (played with
hls.js) or MJPEG (an image stream); `url` is an intranet address, checked on the way in
(video/addresses.py: http or https, or a path on this server).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cameras",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False, comment="who runs it: enterprise or bureau"),
        sa.Column("site_id", sa.String(16), comment="the enterprise or hazard source it watches"),
        sa.Column("kind", sa.String(8), nullable=False, comment="hls or mjpeg"),
        sa.Column("url", sa.Text, nullable=False, comment="intranet address of the stream"),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('hls', 'mjpeg')", name="ck_cameras_kind"),
    )
    op.create_index("ix_cameras_site", "cameras", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_cameras_site", table_name="cameras")
    op.drop_table("cameras")
