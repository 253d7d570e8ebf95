"""Access control: people, enrolled displays, server-side sessions, login throttling and the
append-only audit log.

Secrets are never stored: `users.password_hash` is argon2id, `auth_sessions.id_hash` and
`displays.token_hash` are SHA-256 of the random value the browser holds or the admin was shown.
`audit_log` is append-only: the code has no UPDATE/DELETE path, and triggers refuse both (and
TRUNCATE on PostgreSQL) so that not even a compromised app process can rewrite the record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

PG_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
    """,
]
SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False, server_default=""),
        sa.Column(
            "role", sa.String(16), nullable=False, comment="admin/leader/duty_officer/viewer"
        ),
        sa.Column("password_hash", sa.Text, nullable=False, comment="argon2id"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_login_at", TS),
        sa.CheckConstraint(
            "role IN ('admin', 'leader', 'duty_officer', 'viewer')", name="ck_users_role"
        ),
    )
    op.create_table(
        "displays",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, comment="where it hangs, e.g. 指挥大厅主屏"),
        sa.Column(
            "token_hash", sa.String(64), comment="SHA-256 of the one-time token; NULL once used"
        ),
        sa.Column("token_expires_at", TS, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("enrolled_at", TS),
        sa.Column("enrolled_from", sa.String(64), comment="address that enrolled"),
        sa.Column("revoked_at", TS),
        sa.Column("revoked_by", sa.Text),
        sa.UniqueConstraint("token_hash", name="uq_displays_token_hash"),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True, comment="SHA-256 of the cookie"),
        sa.Column("kind", sa.String(8), nullable=False, comment="user or display"),
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE")),
        sa.Column("display_id", sa.String(32), sa.ForeignKey("displays.id", ondelete="CASCADE")),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_active_at", TS, nullable=False, comment="last sign of a person"),
        sa.Column("expires_at", TS, comment="absolute end; NULL for displays"),
        sa.Column("address", sa.String(64)),
        sa.Column("user_agent", sa.Text),
        sa.Column("ended_at", TS),
        sa.Column("end_reason", sa.String(16), comment="logout/idle/absolute/revoked/reset"),
        sa.CheckConstraint(
            "(kind = 'user' AND username IS NOT NULL AND display_id IS NULL) OR "
            "(kind = 'display' AND display_id IS NOT NULL AND username IS NULL)",
            name="ck_auth_sessions_kind",
        ),
    )
    op.create_index("ix_auth_sessions_username", "auth_sessions", ["username"])
    op.create_index("ix_auth_sessions_display", "auth_sessions", ["display_id"])
    op.create_table(
        "login_failures",
        sa.Column("username", sa.String(64), primary_key=True, comment="'' for the address total"),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", TS, nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("blocked_until", TS),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", TS, nullable=False, comment="UTC"),
        sa.Column(
            "actor", sa.Text, comment="username, display:<id>, cli:<os user>; NULL: anonymous"
        ),
        sa.Column("role", sa.String(16)),
        sa.Column("address", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}", comment="JSON"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action", "audit_log", ["action", "at"])
    dialect = op.get_bind().dialect.name
    for statement in PG_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("login_failures")
    op.drop_index("ix_auth_sessions_display", table_name="auth_sessions")
    op.drop_index("ix_auth_sessions_username", table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_table("displays")
    op.drop_table("users")
