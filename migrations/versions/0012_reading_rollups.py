"""Readings at scale: 1-minute and 1-hour rollups, and on PostgreSQL a table partitioned by day.

`reading_rollups` holds, per sensor and bucket (`step` 60 or 3600 seconds), the count, sum,
min, max and last value of the readings in it: count and sum so that means combine. A trigger
keeps it in step with `reading_history` in the inserting transaction (an upsert per bucket), so
every writer (the archiver, the reference build, COPY) is covered and a duplicate that
ON CONFLICT DO NOTHING skips is never counted.

PostgreSQL: `reading_history` becomes PARTITION BY RANGE (ts), one partition a day
(`reading_history_pYYYYMMDD`, made ahead by the archiver's housekeeping), a default partition
for what falls outside them, and a BRIN index on ts. Retention drops whole days
(archiver/partitions.py). The existing rows are copied over. SQLite keeps its plain table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

_PG_ROLLUP_FUNCTION = """
CREATE FUNCTION reading_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reading_rollups AS r
    (sensor_id, step, bucket, n, total, min_value, max_value, last_ts, last_value)
  SELECT n.sensor_id, s.step,
         date_bin(make_interval(secs => s.step), n.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
         count(*), sum(n.value), min(n.value), max(n.value), max(n.ts),
         (array_agg(n.value ORDER BY n.ts DESC))[1]
  FROM new_rows n CROSS JOIN (VALUES (60), (3600)) AS s(step)
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (sensor_id, step, bucket) DO UPDATE SET
    n = r.n + excluded.n,
    total = r.total + excluded.total,
    min_value = least(r.min_value, excluded.min_value),
    max_value = greatest(r.max_value, excluded.max_value),
    last_value = CASE WHEN excluded.last_ts >= r.last_ts
                      THEN excluded.last_value ELSE r.last_value END,
    last_ts = greatest(r.last_ts, excluded.last_ts);
  RETURN NULL;
END $$
"""

_PG_ROLLUP_TRIGGER = (
    "CREATE TRIGGER reading_rollups_add AFTER INSERT ON reading_history "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reading_rollups_add()"
)


def _sqlite_upsert(step: int, bucket: str) -> str:
    # Times are stored as '%Y-%m-%d %H:%M:%S.%f+00:00' text (data_sources/warehouse.py): the
    # bucket is written the same way so that it compares in order with them.
    return (
        "INSERT INTO reading_rollups "
        "(sensor_id, step, bucket, n, total, min_value, max_value, last_ts, last_value) "
        f"VALUES (NEW.sensor_id, {step}, strftime('{bucket}', NEW.ts), 1, NEW.value, NEW.value, "
        "NEW.value, NEW.ts, NEW.value) "
        "ON CONFLICT (sensor_id, step, bucket) DO UPDATE SET "
        "n = n + 1, total = total + excluded.total, "
        "min_value = min(min_value, excluded.min_value), "
        "max_value = max(max_value, excluded.max_value), "
        "last_value = CASE WHEN excluded.last_ts >= last_ts "
        "THEN excluded.last_value ELSE last_value END, "
        "last_ts = max(last_ts, excluded.last_ts);"
    )


_SQLITE_TRIGGER = (
    "CREATE TRIGGER reading_rollups_add AFTER INSERT ON reading_history FOR EACH ROW BEGIN "
    + _sqlite_upsert(60, "%Y-%m-%d %H:%M:00.000000+00:00")
    + _sqlite_upsert(3600, "%Y-%m-%d %H:00:00.000000+00:00")
    + " END"
)

_SQLITE_BACKFILL = """
INSERT INTO reading_rollups
  (sensor_id, step, bucket, n, total, min_value, max_value, last_ts, last_value)
SELECT a.sensor_id, a.step, a.bucket, a.n, a.total, a.lo, a.hi, a.last_ts, x.value
FROM (
  SELECT sensor_id, step, bucket, count(*) AS n, sum(value) AS total, min(value) AS lo,
         max(value) AS hi, max(ts) AS last_ts
  FROM (
    SELECT sensor_id, ts, value, 60 AS step,
           strftime('%Y-%m-%d %H:%M:00.000000+00:00', ts) AS bucket FROM reading_history
    UNION ALL
    SELECT sensor_id, ts, value, 3600, strftime('%Y-%m-%d %H:00:00.000000+00:00', ts)
    FROM reading_history
  )
  GROUP BY sensor_id, step, bucket
) a JOIN reading_history x ON x.sensor_id = a.sensor_id AND x.ts = a.last_ts
"""


def _day_partition(day: datetime) -> str:
    return (
        f"CREATE TABLE reading_history_p{day:%Y%m%d} PARTITION OF reading_history "
        f"FOR VALUES FROM ('{day:%Y-%m-%d} 00:00:00+00') "
        f"TO ('{day + timedelta(days=1):%Y-%m-%d} 00:00:00+00')"
    )


def upgrade() -> None:
    op.create_table(
        "reading_rollups",
        sa.Column("sensor_id", sa.String(24), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True, comment="bucket width, s: 60 or 3600"),
        sa.Column("bucket", TS, primary_key=True, comment="start of the bucket"),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("total", sa.Float, nullable=False, comment="sum of the values"),
        sa.Column("min_value", sa.Float, nullable=False),
        sa.Column("max_value", sa.Float, nullable=False),
        sa.Column("last_ts", TS, nullable=False),
        sa.Column("last_value", sa.Float, nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        op.execute(_SQLITE_BACKFILL)
        op.execute(_SQLITE_TRIGGER)
        return
    op.execute("ALTER TABLE reading_history RENAME TO reading_history_old")
    op.execute(
        "ALTER TABLE reading_history_old RENAME CONSTRAINT reading_history_pkey TO reading_history_old_pkey"
    )
    op.execute(
        "CREATE TABLE reading_history (sensor_id varchar(24) NOT NULL, "
        "ts timestamptz NOT NULL, value double precision NOT NULL, "
        "PRIMARY KEY (sensor_id, ts)) PARTITION BY RANGE (ts)"
    )
    op.execute("CREATE TABLE reading_history_default PARTITION OF reading_history DEFAULT")
    op.execute("CREATE INDEX ix_reading_history_ts_brin ON reading_history USING brin (ts)")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    bounds = (
        op.get_bind()
        .execute(sa.text("SELECT min(ts) AS lo, max(ts) AS hi FROM reading_history_old"))
        .one()
    )
    first, last = today - timedelta(days=1), today + timedelta(days=2)
    if bounds.lo is not None:
        first = min(
            first, bounds.lo.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        )
        last = max(
            last, bounds.hi.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        )
    day = first
    while day <= last:
        op.execute(_day_partition(day))
        day += timedelta(days=1)
    op.execute(_PG_ROLLUP_FUNCTION)
    op.execute(_PG_ROLLUP_TRIGGER)
    # The copy fires the trigger: the rollups of the existing rows come with it.
    op.execute("INSERT INTO reading_history SELECT sensor_id, ts, value FROM reading_history_old")
    op.execute("DROP TABLE reading_history_old")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER reading_rollups_add")
        op.drop_table("reading_rollups")
        return
    op.execute("DROP TRIGGER reading_rollups_add ON reading_history")
    op.execute("DROP FUNCTION reading_rollups_add()")
    op.execute("ALTER TABLE reading_history RENAME TO reading_history_parted")
    op.create_table(
        "reading_history",
        sa.Column("sensor_id", sa.String(24), primary_key=True),
        sa.Column("ts", TS, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
    op.execute(
        "INSERT INTO reading_history SELECT sensor_id, ts, value FROM reading_history_parted"
    )
    op.execute("DROP TABLE reading_history_parted")
    op.drop_table("reading_rollups")
