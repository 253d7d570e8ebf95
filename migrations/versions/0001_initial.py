"""The registry and history tables of the warehouse.

Positions are WGS-84 lon/lat (degrees); times are UTC. Codes that other systems send
(alarm ids, sensor ids, site ids) are kept as text.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _position() -> list[sa.Column]:
    return [
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
    ]


def _district() -> sa.Column:
    return sa.Column("district", sa.String(6), sa.ForeignKey("districts.adcode"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "districts",
        sa.Column("adcode", sa.String(6), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("geojson", sa.Text, nullable=False, comment="WGS-84 geometry"),
        sa.Column("population", sa.Integer, nullable=False),
    )
    op.create_table(
        "source_systems",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("heartbeat_s", sa.Integer, nullable=False, comment="expected heartbeat period"),
    )
    op.create_table(
        "chemical_parks",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        _district(),
        *_position(),
        sa.Column("radius_m", sa.Float, nullable=False),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        _district(),
        sa.Column("park_id", sa.String(16), sa.ForeignKey("chemical_parks.id")),
        sa.Column("industry", sa.Text, nullable=False),
        sa.Column("hazchem", sa.Boolean, nullable=False),
        sa.Column("risk", sa.String(8), nullable=False, comment="red/orange/yellow/blue"),
        sa.Column("employees", sa.Integer, nullable=False),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        *_position(),
    )
    op.create_index("ix_enterprises_district", "enterprises", ["district"])
    op.create_table(
        "hazard_sources",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("enterprise_id", sa.String(16), sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("grade", sa.SmallInteger, nullable=False, comment="重大危险源 1 (一级) to 4"),
        sa.Column("chemicals", sa.Text, nullable=False),
        sa.Column("capacity_t", sa.Float, nullable=False),
        _district(),
        *_position(),
        sa.CheckConstraint("grade BETWEEN 1 AND 4", name="ck_hazard_grade"),
    )
    op.create_table(
        "sensors",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("hazard_source_id", sa.String(16), sa.ForeignKey("hazard_sources.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="level/temperature/pressure/gas_lel/toxic_ppm"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("normal", sa.Float, nullable=False, comment="typical value"),
        sa.Column("low_low", sa.Float),
        sa.Column("low", sa.Float),
        sa.Column("high", sa.Float),
        sa.Column("high_high", sa.Float),
    )
    op.create_index("ix_sensors_source", "sensors", ["hazard_source_id"])
    op.create_table(
        "rescue_teams",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="fire/hazchem/water/medical/volunteer/engineering"),
        _district(),
        sa.Column("personnel", sa.Integer, nullable=False),
        sa.Column("vehicles", sa.Integer, nullable=False),
        sa.Column("equipment", sa.Text, nullable=False),
        sa.Column("leader", sa.Text, nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        *_position(),
    )
    op.create_table(
        "depots",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("tier", sa.String(8), nullable=False, comment="city/district"),
        _district(),
        sa.Column("manager", sa.Text, nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        *_position(),
    )
    op.create_table(
        "depot_stock",
        sa.Column("depot_id", sa.String(16), sa.ForeignKey("depots.id"), primary_key=True),
        sa.Column("item", sa.String(32), primary_key=True),
        sa.Column("item_name", sa.Text, nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("min_quantity", sa.Integer, nullable=False),
    )
    op.create_table(
        "shelters",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="indoor/outdoor"),
        _district(),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("area_m2", sa.Integer, nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("occupancy", sa.Integer, nullable=False),
        *_position(),
    )
    op.create_table(
        "experts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("specialty", sa.Text, nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        _district(),
    )
    op.create_table(
        "sensitive_targets",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="school/hospital/residential/elderly"),
        sa.Column("population", sa.Integer, nullable=False),
        _district(),
        *_position(),
    )
    op.create_index("ix_sensitive_kind", "sensitive_targets", ["kind"])
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(8), nullable=False, comment="'city' or a district adcode"),
        sa.Column("duty_date", sa.Date, nullable=False, comment="Asia/Shanghai calendar day"),
        sa.Column("shift", sa.String(8), nullable=False, comment="day/night"),
        sa.Column("role", sa.String(16), nullable=False, comment="leader/chief/officer"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
    )
    op.create_index("ix_roster_unit_date", "duty_roster", ["unit", "duty_date"])
    op.create_table(
        "duty_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False, comment="I=1 (特别重大) to IV=4"),
        sa.Column("status", sa.String(12), nullable=False, comment="open/closed"),
        _district(),
        *_position(),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS),
        sa.Column("casualties", sa.Integer, nullable=False, server_default="0"),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "incident_timeline",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(24), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
    )
    op.create_index("ix_timeline_incident", "incident_timeline", ["incident_id", "at"])
    op.create_table(
        "alarm_history",
        sa.Column("id", sa.String(64), primary_key=True, comment="upstream id"),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("site_id", sa.String(24)),
        sa.Column("district", sa.String(6)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("ack_by", sa.Text),
        sa.Column("ack_at", TS),
        sa.Column("closed_by", sa.Text),
        sa.Column("closed_at", TS),
        sa.Column("close_note", sa.Text),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}", comment="JSON"),
    )
    op.create_index("ix_alarm_history_occurred", "alarm_history", ["occurred_at"])
    op.create_table(
        "reading_history",
        sa.Column("sensor_id", sa.String(24), primary_key=True),
        sa.Column("ts", TS, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "reading_history", "alarm_history", "incident_timeline", "incidents", "duty_log",
        "duty_roster", "sensitive_targets", "experts", "shelters", "depot_stock", "depots",
        "rescue_teams", "sensors", "hazard_sources", "enterprises", "chemical_parks",
        "source_systems", "districts",
    ):
        op.drop_table(table)
