#!/usr/bin/env bash
# Makes sure what the test suite needs is installed and running on loopback:
#   - Debian packages redis-server, postgresql, chromium, fonts-noto-cjk (installed when
#     missing and run as root; otherwise says what to install and exits 1),
#   - a Redis server answering where $TEST_REDIS_URL points (default 127.0.0.1:6380; started
#     if none answers, on loopback only) with AOF persistence (appendonly yes, appendfsync
#     always, its files under /tmp/redis-test-$REDIS_PORT): the app refuses ingest on a Redis
#     without AOF, and the suite's Redis runs as production does,
#   - a PostgreSQL server answering on 127.0.0.1:$PG_PORT (if none answers, Debian's cluster
#     $PG_CLUSTER, default main, is started), where user postgres / password postgres can
#     connect to database `test` (tests that start clusters of their own, such as the read
#     replica's primary and standby, use the same package's initdb and pg_basebackup),
#   - prints the path of Chromium.
# Idempotent: when everything is already there it only checks, and is quick.
# Exports nothing: the Makefile passes TEST_REDIS_URL / TEST_WAREHOUSE_URL to pytest.
set -euo pipefail

# The host and port of TEST_REDIS_URL (redis://host:port/db), else REDIS_PORT, else 6380.
TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6380}/15}"
redis_hostport="${TEST_REDIS_URL#*://}"
redis_hostport="${redis_hostport#*@}"
redis_hostport="${redis_hostport%%/*}"
REDIS_HOST="${redis_hostport%%:*}"
REDIS_PORT="${redis_hostport##*:}"
[ "$REDIS_PORT" = "$redis_hostport" ] && REDIS_PORT=6379
[ "$REDIS_HOST" = localhost ] && REDIS_HOST=127.0.0.1
REDIS_DIR="/tmp/redis-test-$REDIS_PORT"
PG_HOST=127.0.0.1
PG_PORT="${PG_PORT:-5432}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PG_USER=postgres
PG_PASSWORD=postgres
PG_DB=test
WAIT_SECONDS=20

say() { echo "ensure_services: $*"; }
die() { echo "ensure_services: ERROR: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------
have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }

chromium_bin() {
    local c
    for c in chromium chromium-browser; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
    done
    return 1
}

missing=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
    || missing+=(redis-server)
{ command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_isready >/dev/null 2>&1 \
    && command -v psql >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' \
    >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_basebackup' >/dev/null; } \
    || missing+=(postgresql)
chromium_bin >/dev/null || missing+=(chromium)
have_pkg fonts-noto-cjk || missing+=(fonts-noto-cjk)

if [ "${#missing[@]}" -gt 0 ]; then
    if ! is_root; then
        die "missing Debian packages: ${missing[*]}. Install them with:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}
or run 'make test' as root."
    fi
    say "installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    say "Debian packages present: redis-server postgresql chromium fonts-noto-cjk"
fi

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------
redis_up() {
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ]
}

redis_aof() {
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config get appendonly 2>/dev/null | tail -n 1
}

if redis_up; then
    say "redis already running on $REDIS_HOST:$REDIS_PORT"
    case "$(redis_aof)" in
        yes) say "redis on $REDIS_HOST:$REDIS_PORT has AOF persistence (appendonly yes)" ;;
        no) say "WARNING: redis on $REDIS_HOST:$REDIS_PORT runs without AOF (appendonly no): \
ingest tests will get 503 'redis: no persistence'. Restart it with --appendonly yes, or point \
TEST_REDIS_URL at the suite's own Redis (redis://127.0.0.1:6380/15)." ;;
        *) say "redis on $REDIS_HOST:$REDIS_PORT does not show its config (CONFIG refused?)" ;;
    esac
elif [ "$REDIS_HOST" != 127.0.0.1 ]; then
    die "nothing answers at $TEST_REDIS_URL, and only a loopback Redis is started here"
else
    say "starting redis-server on $REDIS_HOST:$REDIS_PORT (AOF: appendonly yes, appendfsync \
always, files in $REDIS_DIR)"
    mkdir -p "$REDIS_DIR"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save "" --appendonly yes --appendfsync always --dir "$REDIS_DIR" \
        --pidfile "$REDIS_DIR/redis.pid" \
        --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq $((WAIT_SECONDS * 4))); do
        redis_up && break
        sleep 0.25
    done
    redis_up || die "redis on $REDIS_HOST:$REDIS_PORT did not answer within ${WAIT_SECONDS}s \
(see $REDIS_DIR/redis.log)"
    say "redis is up on $REDIS_HOST:$REDIS_PORT"
fi

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

# psql over TCP as postgres/postgres; extra args follow.
pg_tcp() {
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 \
        psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"
}

# psql as the postgres OS user over the local socket (peer auth); root only. Runs from /tmp
# so that psql does not complain about not being allowed into root's working directory.
pg_local() {
    (cd /tmp && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
}

if pg_up; then
    say "postgresql already accepting connections on $PG_HOST:$PG_PORT"
else
    # Newest installed version that has this cluster; create it (root only) if none has.
    pg_version=""
    for d in $(ls -d /etc/postgresql/*/"$PG_CLUSTER" 2>/dev/null | sort -V); do
        pg_version="$(basename "$(dirname "$d")")"
    done
    if [ -z "$pg_version" ]; then
        pg_version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        is_root || die "no PostgreSQL cluster '$PG_CLUSTER' under /etc/postgresql; create one with
    sudo pg_createcluster -p $PG_PORT $pg_version $PG_CLUSTER"
        say "creating PostgreSQL $pg_version cluster '$PG_CLUSTER' on port $PG_PORT"
        pg_createcluster -p "$PG_PORT" "$pg_version" "$PG_CLUSTER" >/dev/null
    fi
    say "starting PostgreSQL $pg_version cluster '$PG_CLUSTER'"
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" "$PG_CLUSTER" start \
        || die "pg_ctlcluster $pg_version $PG_CLUSTER start failed (not root? try: sudo make test)"
    for _ in $(seq $((WAIT_SECONDS * 4))); do
        pg_up && break
        sleep 0.25
    done
    pg_up || die "postgresql on $PG_HOST:$PG_PORT not ready within ${WAIT_SECONDS}s \
(see /var/log/postgresql/)"
    say "postgresql is up on $PG_HOST:$PG_PORT"
fi

# Credentials: trust auth on loopback (this kind of machine) ignores the password; a fresh
# Debian install uses scram on loopback, so the postgres role needs the password 'postgres'.
if pg_tcp -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    say "postgresql login $PG_USER/$PG_PASSWORD over TCP works"
else
    is_root || die "cannot log in to PostgreSQL on $PG_HOST:$PG_PORT as $PG_USER/$PG_PASSWORD.
Set the password with:
    sudo -u postgres psql -c \"ALTER ROLE postgres PASSWORD 'postgres'\""
    say "setting the password of role $PG_USER to '$PG_PASSWORD' (loopback needs a password)"
    pg_local -d postgres -c "ALTER ROLE $PG_USER PASSWORD '$PG_PASSWORD'" >/dev/null
    pg_tcp -d postgres -tAc 'select 1' >/dev/null \
        || die "still cannot log in to PostgreSQL as $PG_USER over TCP (check pg_hba.conf)"
    say "postgresql login $PG_USER/$PG_PASSWORD over TCP works"
fi

if [ "$(pg_tcp -d postgres -tAc "select 1 from pg_database where datname = '$PG_DB'")" = "1" ]
then
    say "database '$PG_DB' exists"
else
    say "creating database '$PG_DB'"
    pg_tcp -d postgres -c "CREATE DATABASE \"$PG_DB\""
fi

# ---------------------------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------------------------
chromium_path="$(chromium_bin)" || die "chromium not found on PATH"
say "chromium at $chromium_path"

# =============================================================================================
# Connectors (issue 12): a Mosquitto broker on 127.0.0.1:$MQTT_PORT and a MariaDB server on
# 127.0.0.1:$MARIADB_PORT where user root needs no password over TCP. Debian's mosquitto and
# mariadb-server are installed when missing and run as root; servers started when none answers.
# =============================================================================================
MQTT_HOST=127.0.0.1
MQTT_PORT="${MQTT_PORT:-1883}"
MARIADB_HOST=127.0.0.1
MARIADB_PORT="${MARIADB_PORT:-3306}"
MARIADB_DATADIR="${MARIADB_DATADIR:-/var/lib/mysql}"
MARIADB_SOCKET="${MARIADB_SOCKET:-/run/mysqld/mysqld.sock}"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

connector_missing=()
mqtt_needed=0
mariadb_needed=0
port_open "$MQTT_HOST" "$MQTT_PORT" || mqtt_needed=1
port_open "$MARIADB_HOST" "$MARIADB_PORT" || mariadb_needed=1
if [ "$mqtt_needed" = 1 ] && ! command -v mosquitto >/dev/null 2>&1; then
    connector_missing+=(mosquitto)
fi
if [ "$mariadb_needed" = 1 ] && ! command -v mariadbd >/dev/null 2>&1 \
    && ! command -v mysqld >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    connector_missing+=(mariadb-server)
fi
if [ "${#connector_missing[@]}" -gt 0 ]; then
    is_root || die "missing Debian packages: ${connector_missing[*]}. Install them with:
    sudo apt-get update && sudo apt-get install -y ${connector_missing[*]}
or run 'make test' as root."
    say "installing missing Debian packages: ${connector_missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${connector_missing[@]}"
fi

if [ "$mqtt_needed" = 0 ]; then
    say "mqtt broker already listening on $MQTT_HOST:$MQTT_PORT"
else
    mkdir -p /tmp/mosquitto-test
    cat >/tmp/mosquitto-test/mosquitto.conf <<CONF
listener $MQTT_PORT $MQTT_HOST
allow_anonymous true
persistence true
persistence_location /tmp/mosquitto-test/
max_queued_messages 200000
log_dest file /tmp/mosquitto-test/mosquitto.log
CONF
    say "starting mosquitto on $MQTT_HOST:$MQTT_PORT (log /tmp/mosquitto-test/mosquitto.log)"
    mosquitto -d -c /tmp/mosquitto-test/mosquitto.conf \
        || die "mosquitto did not start (see /tmp/mosquitto-test/mosquitto.log)"
    for _ in $(seq $((WAIT_SECONDS * 4))); do
        port_open "$MQTT_HOST" "$MQTT_PORT" && break
        sleep 0.25
    done
    port_open "$MQTT_HOST" "$MQTT_PORT" \
        || die "mosquitto on $MQTT_HOST:$MQTT_PORT did not answer within ${WAIT_SECONDS}s"
    say "mosquitto is up on $MQTT_HOST:$MQTT_PORT"
fi

mariadb_sql() { mariadb -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u root --protocol=TCP -N -e "$1"; }

if [ "$mariadb_needed" = 0 ]; then
    say "mariadb already listening on $MARIADB_HOST:$MARIADB_PORT"
else
    is_root || die "no MariaDB on $MARIADB_HOST:$MARIADB_PORT; start one with: sudo service mariadb start"
    say "starting mariadb on $MARIADB_HOST:$MARIADB_PORT"
    mkdir -p "$(dirname "$MARIADB_SOCKET")" "$MARIADB_DATADIR"
    chown mysql:mysql "$(dirname "$MARIADB_SOCKET")" "$MARIADB_DATADIR"
    if [ ! -d "$MARIADB_DATADIR/mysql" ]; then
        mariadb-install-db --user=mysql --datadir="$MARIADB_DATADIR" >/dev/null
    fi
    (cd /tmp && runuser -u mysql -- mariadbd --bind-address="$MARIADB_HOST" \
        --port="$MARIADB_PORT" --datadir="$MARIADB_DATADIR" --socket="$MARIADB_SOCKET" \
        --pid-file="$MARIADB_DATADIR/test-$MARIADB_PORT.pid" \
        >"/tmp/mariadb-test-$MARIADB_PORT.log" 2>&1 &)
    for _ in $(seq $((WAIT_SECONDS * 4))); do
        port_open "$MARIADB_HOST" "$MARIADB_PORT" && break
        sleep 0.25
    done
    port_open "$MARIADB_HOST" "$MARIADB_PORT" \
        || die "mariadb on $MARIADB_HOST:$MARIADB_PORT did not answer within ${WAIT_SECONDS}s \
(see /tmp/mariadb-test-$MARIADB_PORT.log)"
    say "mariadb is up on $MARIADB_HOST:$MARIADB_PORT"
fi

# Debian's root@localhost authenticates by unix socket only; the tests log in over TCP as root
# with no password (loopback only), so allow that once.
if mariadb_sql "SELECT 1" >/dev/null 2>&1; then
    say "mariadb login root (no password) over TCP works"
else
    is_root || die "cannot log in to MariaDB on $MARIADB_HOST:$MARIADB_PORT as root without a password"
    say "allowing root without a password over TCP on loopback (test server)"
    mariadb -u root --socket="$MARIADB_SOCKET" -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
        GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" \
        || die "could not set up root over TCP in MariaDB"
    mariadb_sql "SELECT 1" >/dev/null || die "still cannot log in to MariaDB as root over TCP"
fi

# ---------------------------------------------------------------------------------------------
# Daily duty report (h8): WeasyPrint's Pango libraries for the PDF, poppler-utils (pdftotext,
# pdftoppm) for the tests that read the PDF back. Installed when missing and run as root.
# ---------------------------------------------------------------------------------------------
report_missing=()
for pkg in libpango-1.0-0 libpangoft2-1.0-0 poppler-utils; do
    have_pkg "$pkg" || report_missing+=("$pkg")
done
if [ "${#report_missing[@]}" -gt 0 ]; then
    is_root || die "missing Debian packages for the daily report: ${report_missing[*]}. Install them with:
    sudo apt-get update && sudo apt-get install -y ${report_missing[*]}"
    say "installing missing Debian packages: ${report_missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${report_missing[@]}" \
        || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
             --no-install-recommends "${report_missing[@]}"; }
else
    say "Debian packages present: libpango-1.0-0 libpangoft2-1.0-0 poppler-utils"
fi

# ---------------------------------------------------------------------------------------------
# Camera video (issue 15): Debian's ffmpeg makes the HLS and MJPEG streams that the video tests
# play (tests/video_streams.py) and the demo's test streams (video/demo.py). Installed when
# missing and run as root.
# ---------------------------------------------------------------------------------------------
if command -v ffmpeg >/dev/null 2>&1; then
    say "ffmpeg present"
else
    is_root || die "missing Debian package for the video tests: ffmpeg. Install it with:
    sudo apt-get update && sudo apt-get install -y ffmpeg"
    say "installing missing Debian package: ffmpeg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ffmpeg \
        || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
             --no-install-recommends ffmpeg; }
fi

# ---------------------------------------------------------------------------------------------
# Several app hosts (issue 16): Debian's nginx in front of two app instances
# (tests/browser/test_two_hosts.py runs docs/deploy/nginx-two-hosts.conf as a user, on loopback
# ports; the package's own service is not started). Installed when missing and run as root.
# ---------------------------------------------------------------------------------------------
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    say "nginx present"
else
    is_root || die "missing Debian package for the two-host test: nginx-light. Install it with:
    sudo apt-get update && sudo apt-get install -y nginx-light"
    say "installing missing Debian package: nginx-light"
    # policy-rc.d 101: the package's service is not started (the test runs its own nginx).
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light \
        || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
             --no-install-recommends nginx-light; }
    rm -f /usr/sbin/policy-rc.d
fi
