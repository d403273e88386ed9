#!/usr/bin/env bash
# Starts (or stops) the real dependencies the integration tests run against, as plain loopback processes:
# MariaDB, redis-server and the librdkafka mock Kafka cluster (scripts cannot use Docker here). Also installs
# Prometheus and Alertmanager (promtool, amtool, and a real Prometheus for the alert-detection tests) and nginx
# (deploy/nginx.conf in front of the app).
#   scripts/test-infra.sh start   # installs what is missing (apt), starts all three, writes .test-infra/env
#   scripts/test-infra.sh stop
#   scripts/test-infra.sh status
# Fault injection for tests and drills (the real processes, not fakes):
#   scripts/test-infra.sh redis-stop | redis-start     # stop redis-server; start it again EMPTY (no persistence)
#   scripts/test-infra.sh redis-snapshot NAME          # SAVE now, kept as NAME (what an RDB/AOF restore would bring back)
#   scripts/test-infra.sh redis-restart-from NAME      # kill redis-server and start it from snapshot NAME: STALE, not empty
#   scripts/test-infra.sh mysql-stop | mysql-start     # stop / start mariadbd on the same data directory
#   scripts/test-infra.sh kafka "down all" | "up all" | "rtt all 500"   # mock broker control
# Redis HA (a set of its own, started only by the tests that need it):
#   scripts/test-infra.sh sentinel-start        # a primary and a replica (AOF everysec) and three sentinels, service "coupons"
#   scripts/test-infra.sh sentinel-kill-primary  # kill -9 whichever server is primary now; the sentinels promote the replica
#   scripts/test-infra.sh sentinel-stop
# Ports are fixed and unusual so a developer's own MySQL/Redis are left alone. Passwords are local-test defaults.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="$ROOT/.test-infra"
MYSQL_PORT="${COUPONS_TEST_MYSQL_PORT:-3317}"
REDIS_PORT="${COUPONS_TEST_REDIS_PORT:-6390}"
KAFKA_CONTROL_PORT="${COUPONS_TEST_KAFKA_CONTROL_PORT:-19093}"
HA_REDIS_PORTS=("${COUPONS_TEST_HA_REDIS_PORT:-6391}" "$(( ${COUPONS_TEST_HA_REDIS_PORT:-6391} + 1 ))")
SENTINEL_PORTS=("${COUPONS_TEST_SENTINEL_PORT:-26391}" "$(( ${COUPONS_TEST_SENTINEL_PORT:-26391} + 1 ))" "$(( ${COUPONS_TEST_SENTINEL_PORT:-26391} + 2 ))")
SENTINEL_SERVICE="coupons"
DB_USER="coupons"
DB_PASSWORD="coupons-local-test"   # local-test default, not a secret
DB_NAME="coupons_test"

log() { echo "[test-infra] $*"; }

install_packages() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
  [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)   # deploy/nginx.conf, tested in front of the app
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_mariadb() {
  local dir="$STATE/mysql"
  if [[ -f "$STATE/mysql.pid" ]] && kill -0 "$(cat "$STATE/mysql.pid")" 2>/dev/null; then
    log "mariadb already running"; return
  fi
  if [[ ! -d "$dir/data/mysql" ]]; then
    mkdir -p "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --auth-root-authentication-method=socket >/dev/null
  fi
  # Sized for a 2-core test box; durability settings stay at their safe defaults.
  nohup mariadbd --no-defaults --user=root --datadir="$dir/data" --port="$MYSQL_PORT" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$STATE/mysql.pid" --max-connections=2000 \
    --innodb-buffer-pool-size=256M --log-error="$dir/error.log" >/dev/null 2>&1 &
  local up=0
  for _ in $(seq 1 60); do
    mariadb --no-defaults -uroot --socket="$dir/mysqld.sock" -e "SELECT 1" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.5
  done
  if [[ "$up" -ne 1 ]]; then
    tail -20 "$dir/error.log" >&2 || true
    log "mariadb did not start (is port $MYSQL_PORT already in use? scripts/test-infra.sh stop in the other checkout)"
    exit 1
  fi
  mariadb --no-defaults -uroot --socket="$dir/mysqld.sock" <<SQL
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
-- WITH GRANT OPTION: tests create the users a deployment has (one that may only read and write rows, MigrationStepTests).
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  log "mariadb on 127.0.0.1:$MYSQL_PORT"
}

start_redis() {
  local dbfile="${1:-}"   # optional: an RDB file in $STATE to load at start (a stale restore); none = empty
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then log "redis already running"; return; fi
  rm -f "$STATE/redis-load.rdb"
  [[ -n "$dbfile" ]] && cp "$STATE/$dbfile" "$STATE/redis-load.rdb"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" --dir "$STATE" --dbfilename redis-load.rdb
  for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
  log "redis on 127.0.0.1:$REDIS_PORT"
}

start_kafka() {
  if [[ -f "$STATE/kafka.pid" ]] && kill -0 "$(cat "$STATE/kafka.pid")" 2>/dev/null; then
    log "kafka mock already running"; return
  fi
  dotnet build "$ROOT/src/Coupons.KafkaMockHost" -c Release -v quiet -nologo >/dev/null
  rm -f "$STATE/kafka.bootstrap"
  nohup dotnet "$ROOT/src/Coupons.KafkaMockHost/bin/Release/net10.0/Coupons.KafkaMockHost.dll" \
    --brokers 1 --topic coupon.issue.requested:4 --topic coupon.issue.requested.dlq:1 --topic coupon.events:4 \
    --bootstrap-file "$STATE/kafka.bootstrap" --control-port "$KAFKA_CONTROL_PORT" >"$STATE/kafka.log" 2>&1 &
  echo $! >"$STATE/kafka.pid"
  for _ in $(seq 1 60); do [[ -s "$STATE/kafka.bootstrap" ]] && break; sleep 0.25; done
  [[ -s "$STATE/kafka.bootstrap" ]] || { cat "$STATE/kafka.log"; log "kafka mock did not start"; exit 1; }
  log "kafka mock at $(cat "$STATE/kafka.bootstrap"), control 127.0.0.1:$KAFKA_CONTROL_PORT"
}

write_env() {
  cat >"$STATE/env" <<ENV
export COUPONS_TEST_MYSQL="Server=127.0.0.1;Port=$MYSQL_PORT;User ID=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME;Maximum Pool Size=100;GuidFormat=None"
export COUPONS_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export COUPONS_TEST_KAFKA="$(cat "$STATE/kafka.bootstrap")"
export COUPONS_TEST_KAFKA_CONTROL="127.0.0.1:$KAFKA_CONTROL_PORT"
export COUPONS_TEST_REDIS_SENTINEL="$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}")serviceName=$SENTINEL_SERVICE"
ENV
  log "wrote $STATE/env"
}

# Redis HA: a primary and a replica with AOF everysec, three sentinels (quorum 2) that fail over 2 s after the primary
# stops answering. Data and configs under .test-infra/sentinel (sentinels rewrite their config on failover).
start_sentinel_set() {
  local dir="$STATE/sentinel"
  stop_sentinel_set
  rm -rf "$dir" && mkdir -p "$dir"
  local primary="${HA_REDIS_PORTS[0]}" replica="${HA_REDIS_PORTS[1]}"
  for port in "$primary" "$replica"; do
    mkdir -p "$dir/$port"
    local extra=()
    [[ "$port" == "$replica" ]] && extra=(--replicaof 127.0.0.1 "$primary")
    redis-server --port "$port" --bind 127.0.0.1 --appendonly yes --appendfsync everysec --save "" --daemonize yes \
      --dir "$dir/$port" --pidfile "$dir/$port.pid" --logfile "$dir/$port.log" "${extra[@]}"
  done
  for port in "${SENTINEL_PORTS[@]}"; do
    cat >"$dir/sentinel-$port.conf" <<CONF
port $port
bind 127.0.0.1
daemonize yes
pidfile $dir/sentinel-$port.pid
logfile $dir/sentinel-$port.log
dir $dir
sentinel monitor $SENTINEL_SERVICE 127.0.0.1 $primary 2
sentinel down-after-milliseconds $SENTINEL_SERVICE 2000
sentinel failover-timeout $SENTINEL_SERVICE 10000
sentinel parallel-syncs $SENTINEL_SERVICE 1
CONF
    redis-server "$dir/sentinel-$port.conf" --sentinel
  done
  for _ in $(seq 1 80); do
    [[ "$(redis-cli -p "$replica" info replication 2>/dev/null | tr -d '\r' | grep '^master_link_status:')" == "master_link_status:up" ]] \
      && [[ "$(redis-cli -p "${SENTINEL_PORTS[2]}" sentinel replicas "$SENTINEL_SERVICE" 2>/dev/null | grep -c "$replica")" -ge 1 ]] && break
    sleep 0.25
  done
  log "redis primary :$primary, replica :$replica, sentinels :${SENTINEL_PORTS[*]} (service $SENTINEL_SERVICE)"
}

stop_sentinel_set() {
  local port
  for port in "${SENTINEL_PORTS[@]}" "${HA_REDIS_PORTS[@]}"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
}

kill_sentinel_primary() {
  local port
  port="$(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name "$SENTINEL_SERVICE" | tail -1)"
  kill -9 "$(cat "$STATE/sentinel/$port.pid")"
  log "redis primary :$port killed (-9)"
}

stop_pidfile() {
  local file="$1"
  if [[ -f "$file" ]]; then
    local pid; pid="$(cat "$file")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$file"
  fi
}

case "${1:-}" in
  start)
    mkdir -p "$STATE"
    install_packages
    start_mariadb
    start_redis
    start_kafka
    write_env
    ;;
  stop)
    stop_sentinel_set
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || stop_pidfile "$STATE/redis.pid"
    stop_pidfile "$STATE/kafka.pid"
    stop_pidfile "$STATE/mysql.pid"
    log "stopped"
    ;;
  redis-stop)
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
    log "redis stopped"
    ;;
  redis-start)
    start_redis
    ;;
  redis-snapshot)
    name="${2:?snapshot name}"
    redis-cli -p "$REDIS_PORT" save >/dev/null
    cp "$STATE/$(redis-cli -p "$REDIS_PORT" config get dbfilename | tail -1)" "$STATE/snapshot-$name.rdb"
    log "redis snapshot $name taken"
    ;;
  redis-restart-from)
    name="${2:?snapshot name}"
    [[ -f "$STATE/snapshot-$name.rdb" ]] || { log "no snapshot $name"; exit 1; }
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
    start_redis "snapshot-$name.rdb"
    log "redis restarted from snapshot $name"
    ;;
  mysql-stop)
    stop_pidfile "$STATE/mysql.pid"
    log "mariadb stopped"
    ;;
  mysql-start)
    start_mariadb
    ;;
  kafka)
    exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_CONTROL_PORT"
    echo "${2:?kafka command, e.g. 'down all'}" >&3
    read -r reply <&3
    exec 3>&-
    log "kafka mock: ${2} -> $reply"
    [[ "$reply" == ok* ]]
    ;;
  sentinel-start)
    start_sentinel_set
    ;;
  sentinel-kill-primary)
    kill_sentinel_primary
    ;;
  sentinel-stop)
    stop_sentinel_set
    log "redis sentinel set stopped"
    ;;
  status)
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null || echo "redis down"
    [[ -f "$STATE/mysql.pid" ]] && kill -0 "$(cat "$STATE/mysql.pid")" 2>/dev/null && echo "mariadb up" || echo "mariadb down"
    [[ -f "$STATE/kafka.pid" ]] && kill -0 "$(cat "$STATE/kafka.pid")" 2>/dev/null && echo "kafka mock up" || echo "kafka mock down"
    ;;
  *)
    echo "usage: $0 start|stop|status|redis-stop|redis-start|redis-snapshot NAME|redis-restart-from NAME|mysql-stop|mysql-start|kafka CMD|sentinel-start|sentinel-kill-primary|sentinel-stop" >&2; exit 2 ;;
esac
