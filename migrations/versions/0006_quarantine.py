"""Quarantine: what could not be stored, kept in the warehouse instead of only in Redis.

One row per entry that an intake path (the archiver, a connector, an HTTP door) could not
store after its retries: the raw entry as it arrived, the error, when, where it came from, and
whether it was re-driven after a fix. `raw` is text when the entry is clean UTF-8 without
U+0000; otherwise (`raw_encoding` = 'base64') the base64 of its bytes, since PostgreSQL text
cannot hold NUL. `(channel, ref)` is unique: a crash between the quarantine commit and the
acknowledgement of a stream entry (`ref` = its entry id) quarantines it once.

The audit trail's append-only triggers are relaxed for retention only: a DELETE of a row
younger than 183 days is still refused, so not even a compromised app process can rewrite
the recent record; older rows may be purged by the retention housekeeping.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# The floor of the audit trail's retention, enforced by the database itself.
AUDIT_FLOOR_DAYS = 183

PG_AUDIT = [
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    f"""
    CREATE OR REPLACE FUNCTION audit_log_retention_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.at < now() - interval '{AUDIT_FLOOR_DAYS} days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
    """
    CREATE TRIGGER audit_log_no_recent_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_retention_only()
    """,
]
PG_AUDIT_DOWN = [
    "DROP TRIGGER IF EXISTS audit_log_no_recent_delete ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_retention_only()",
    """
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
]
# SQLite keeps times as '%Y-%m-%d %H:%M:%S.%f+00:00' text (data_sources/warehouse.py), which
# compares in time order with datetime()'s '%Y-%m-%d %H:%M:%S'.
SQLITE_AUDIT = [
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    f"""
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN OLD.at >= datetime('now', '-{AUDIT_FLOOR_DAYS} days')
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
]
SQLITE_AUDIT_DOWN = [
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", TS, nullable=False, comment="when it was quarantined (UTC)"),
        sa.Column("source", sa.String(64), comment="upstream system code, when known"),
        sa.Column(
            "channel",
            sa.String(64),
            nullable=False,
            comment="archiver:alarms, archiver:readings, mqtt, dbpull, http, ...",
        ),
        sa.Column("ref", sa.String(200), comment="the entry's own id there, e.g. stream entry id"),
        sa.Column("raw", sa.Text, nullable=False, comment="the raw entry (see raw_encoding)"),
        sa.Column(
            "raw_encoding",
            sa.String(8),
            nullable=False,
            server_default="text",
            comment="text, or base64 of the bytes (NUL, invalid UTF-8)",
        ),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("redriven_at", TS, comment="when it was re-driven after a fix"),
        sa.Column("redriven_note", sa.Text, comment="how: e.g. the new stream entry id"),
        sa.UniqueConstraint("channel", "ref", name="uq_quarantine_channel_ref"),
        sa.CheckConstraint("raw_encoding IN ('text', 'base64')", name="ck_quarantine_encoding"),
    )
    op.create_index("ix_quarantine_at", "quarantine", ["at"])
    op.create_index("ix_quarantine_source", "quarantine", ["source", "at"])
    dialect = op.get_bind().dialect.name
    for statement in PG_AUDIT if dialect == "postgresql" else SQLITE_AUDIT:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in PG_AUDIT_DOWN if dialect == "postgresql" else SQLITE_AUDIT_DOWN:
        op.execute(statement)
    op.drop_index("ix_quarantine_source", table_name="quarantine")
    op.drop_index("ix_quarantine_at", table_name="quarantine")
    op.drop_table("quarantine")
