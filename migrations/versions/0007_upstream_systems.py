"""The registry of upstream systems and the ingest credentials bound to them.

`upstream_systems` is the governed list of what may feed the platform: a `source` that is not
here (or is disabled) is refused at ingest. `ingest_tokens` holds one row per bearer token,
each bound to one system; only the SHA-256 of the token is stored (see ingest/credentials.py
for why a plain hash suffices). `alarm_events.via` records which system and token made an API
change (`hazchem:12`), beside the human name the caller gave in `actor`.

Seeded with the seven systems of the contract.

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-03
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# code, name, name_en, kind, sends, heartbeat_s, data_s, connector
SEED = (
    ("emergency", "应急平台综合应用系统", "Emergency platform", "platform", "alarms,incidents,heartbeats", 30, 300, "http"),
    ("supervision", "安全生产监管", "Work-safety supervision", "business", "alarms,heartbeats", 30, 600, "http"),
    ("enforcement", "安全生产行政执法", "Work-safety law enforcement", "business", "alarms,heartbeats", 30, 600, "http"),
    ("gis", "安全生产地理信息系统", "Work-safety GIS", "business", "alarms,heartbeats", 30, 3600, "http"),
    ("hazchem", "危险化学品安全生产风险监测预警系统", "Hazardous-chemicals risk monitoring", "monitoring", "alarms,readings,heartbeats", 30, 60, "http"),
    ("monitor", "安全生产监测监控中心", "Work-safety monitoring centre", "monitoring", "alarms,readings,heartbeats", 30, 300, "http"),
    ("iot", "感知网络", "Sensing network", "sensing", "alarms,readings,heartbeats", 10, 60, "http"),
)  # fmt: skip


def upgrade() -> None:
    systems = op.create_table(
        "upstream_systems",
        sa.Column("code", sa.String(32), primary_key=True, comment="the `source` it posts as"),
        sa.Column("name", sa.Text, nullable=False, comment="Chinese name shown on screens"),
        sa.Column("name_en", sa.Text, nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False, server_default="business"),
        sa.Column(
            "sends",
            sa.Text,
            nullable=False,
            server_default="alarms,heartbeats",
            comment="comma-separated: alarms, readings, incidents, heartbeats",
        ),
        sa.Column("heartbeat_s", sa.Integer, nullable=False, comment="expected heartbeat period"),
        sa.Column("data_s", sa.Integer, nullable=False, comment="expected data period"),
        sa.Column("contact", sa.Text, nullable=False, server_default=""),
        sa.Column("connector", sa.String(8), nullable=False, server_default="http"),
        sa.Column("connector_settings", sa.Text, nullable=False, server_default="{}"),
        sa.Column(
            "may_transition",
            sa.Text,
            nullable=False,
            server_default="",
            comment="comma-separated systems whose alarms this one may ack/close",
        ),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("connector IN ('http', 'mqtt', 'dbpull')", name="ck_systems_connector"),
    )
    op.create_table(
        "ingest_tokens",
        # SQLite makes only INTEGER PRIMARY KEY an autoincrementing rowid.
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("system", sa.String(32), sa.ForeignKey("upstream_systems.code"), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, comment="SHA-256 hex of the token"),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.UniqueConstraint("hash", name="uq_ingest_tokens_hash"),
    )
    op.create_index("ix_ingest_tokens_system", "ingest_tokens", ["system"])
    with op.batch_alter_table("alarm_events") as batch:
        batch.add_column(
            sa.Column("via", sa.Text, comment="system:token id of the API call that made it")
        )
    now = datetime.now(UTC)
    op.bulk_insert(
        systems,
        [
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "sends": sends,
                "heartbeat_s": heartbeat_s,
                "data_s": data_s,
                "contact": "",
                "connector": connector,
                "connector_settings": json.dumps({}),
                "may_transition": "",
                "enabled": True,
                "created_at": now,
            }
            for code, name, name_en, kind, sends, heartbeat_s, data_s, connector in SEED
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("alarm_events") as batch:
        batch.drop_column("via")
    op.drop_index("ix_ingest_tokens_system", table_name="ingest_tokens")
    op.drop_table("ingest_tokens")
    op.drop_table("upstream_systems")
