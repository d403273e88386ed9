#!/usr/bin/env bash
# Regenerates docs/examples from one run, as an on-call engineer would make them: `couponctl drill` for every scenario
# the test stack can host (redis-down, mysql-partition, kafka-down, memory-256m), each followed by its
# `couponctl postmortem` (English; Korean for the first), against one app in real mode with a Prometheus evaluating
# deploy/prometheus/alerts.yml; then `couponctl drill app-kill` on the production topology (both replicas, nginx,
# Prometheus, Alertmanager) with `couponctl status` read every 10 s beside it. Needs root (the memory drill moves the app
# into a cgroup), ~15 minutes, and the machine to itself: it starts and stops the test stack (scripts/test-infra.sh) and
# a topology of its own (state under .test-infra/examples), and refuses to start while either is already up.
#   scripts/drill-examples.sh [out-dir]   # default docs/examples: its drill files are replaced; any other directory
#                                         # must be new or empty
# Beside the examples it writes checks.txt: what MariaDB and Prometheus said about each drill, to check the reports by.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
out="$(realpath -m "${1:-docs/examples}")"
if [[ "$out" != "$repo/docs/examples" && -e "$out" && -n "$(ls -A "$out")" ]]; then
  echo "refusing: $out is not empty (give a new or empty directory, or none for docs/examples)" >&2
  exit 2
fi
# Targets inherited from an operator's shell would aim the faults elsewhere (DrillStack reads them).
unset COUPONCTL_MYSQL_PORT COUPONCTL_REDIS_PORTS COUPONCTL_KAFKA_CONTROL COUPONCTL_APP_PORTS COUPONCTL_URL COUPONCTL_ADMIN_URL \
  COUPONCTL_ADMIN_KEY COUPONCTL_MYSQL COUPONCTL_PROMETHEUS COUPONCTL_ALERTMANAGER COUPONCTL_STACK
if redis-cli -p "${COUPONS_TEST_REDIS_PORT:-6390}" ping >/dev/null 2>&1; then
  echo "refusing: the test stack is already running (scripts/test.sh?); the drills would break what uses it" >&2
  exit 2
fi
if curl -sf http://127.0.0.1:18181/health/ready >/dev/null 2>&1; then
  echo "refusing: a topology is already up on :18181; stop it first" >&2
  exit 2
fi

work=.test-infra/examples
rm -rf "$work" && mkdir -p "$work/drills"
dotnet build Coupons.slnx -c Release -v quiet -nologo
couponctl() { dotnet "$repo/src/Coupons.Cli/bin/Release/net10.0/couponctl.dll" "$@"; }

groups=() # process groups started here (each with setsid), stopped on exit however the script ends
cleanup() {
  for group in "${groups[@]}"; do kill -- "-$group" 2>/dev/null || true; done
  scripts/test-infra.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

wait_for() { # wait_for <what> <seconds> <command...>
  local what="$1" seconds="$2"; shift 2
  for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "$what never came up" >&2
  exit 1
}

# What MariaDB and Prometheus say about a drill, beside the report's own numbers (checks.txt).
check() { # check <report.json> <prometheus> <mariadb options...>
  local report="$1" prometheus="$2"; shift 2
  local coupon; coupon="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["couponId"])' "$report")"
  echo "== $(basename "$report") (checked at $(date -u +%H:%M:%S) UTC)"
  python3 - "$report" "$prometheus" <<'PY'
import datetime, json, re, sys, time, urllib.parse, urllib.request
r, prometheus = json.load(open(sys.argv[1])), sys.argv[2]
print(f"report: {'PASS' if r['passed'] else 'FAIL'} coupon {r['couponId']} injected {r['injectedAt']} healed {r['healedAt']} "
      f"detect {r['detectedAfterSeconds']} s recover {r['recoveredAfterSeconds']} s load {json.dumps(r['load'])} accepted during the fault {r.get('acceptedDuringFault')}")
def at(text): return datetime.datetime.fromisoformat(re.sub(r'(\.\d{6})\d+', r'\1', text)).timestamp()  # Python < 3.11 takes 6 digits
def utc(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%H:%M:%S')
if r.get('alert'):
    end = min(at(r['endedAt']) + 180, time.time()) # never past now: the lookback would fill the future with the last sample
    query = urllib.parse.urlencode({'query': f'ALERTS{{alertname="{r["alert"]}",alertstate="firing"}}', 'start': at(r['startedAt']) - 60, 'end': end, 'step': 1})
    for series in json.load(urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{query}"))['data']['result']:
        seen = [float(v[0]) for v in series['values']]
        still = ' (still firing)' if max(seen) >= end - 1 else ''
        print(f"Prometheus ALERTS {r['alert']} firing on {series['metric'].get('instance', '?')}: first {utc(min(seen))} UTC "
              f"({min(seen) - at(r['injectedAt']):.1f} s after the injection), last {utc(max(seen))} UTC{still}")
PY
  mariadb --no-defaults "$@" --table -e "
    SELECT COUNT(*) AS user_coupons_rows, COUNT(DISTINCT user_id) AS holders FROM user_coupons WHERE coupon_id = $coupon;
    SELECT total_quantity, issued_quantity FROM coupons WHERE id = $coupon;
    SELECT COUNT(*) AS parked_now FROM parked_requests;
    SELECT actor, COUNT(*) AS admin_calls FROM admin_audit GROUP BY actor;"
}

# Runs one drill and drafts its post-mortem(s); a drill that fails or refuses is reported and the run goes on.
drill() { # drill <scenario> <check: prometheus mariadb-options...> -- <couponctl drill options...> -- <postmortem options...>
  local scenario="$1"; shift
  local check_args=() drill_args=() postmortem_args=()
  while [[ "$1" != "--" ]]; do check_args+=("$1"); shift; done; shift
  while [[ "$1" != "--" ]]; do drill_args+=("$1"); shift; done; shift
  postmortem_args=("$@")
  echo "== drill $scenario"
  couponctl drill "$scenario" "${drill_args[@]}" --out "$work/drills" || echo "drill $scenario exited $?: see its report, if it wrote one"
  local report
  report="$(ls -t "$work"/drills/*-"$scenario".json 2>/dev/null | head -1 || true)"
  if [[ -z "$report" ]]; then
    echo "drill $scenario wrote no report (refused?): no post-mortem" | tee -a "$work/checks.txt"
    return 0
  fi
  check "$report" "${check_args[@]}" >> "$work/checks.txt" 2>&1 || echo "checking $report failed; see checks.txt" >&2
  couponctl postmortem --drill "$report" "${postmortem_args[@]}" --out "$work/drills" || echo "post-mortem of $scenario failed" >&2
}

# --- The test stack: one app of its own (database, Redis database 1, topics, consumer group), Prometheus beside it.
scripts/test-infra.sh start
# shellcheck disable=SC1091
source .test-infra/env
mysql_port="${COUPONS_TEST_MYSQL_PORT:-3317}" redis_port="${COUPONS_TEST_REDIS_PORT:-6390}"
app_port=18601 admin_port=18602 prometheus_port=18690
admin_key="examples-admin-key-not-a-secret-0001" drill_key="examples-drill-key-not-a-secret-0001"
database="coupons_examples"
mariadb --no-defaults -h127.0.0.1 -P"$mysql_port" -ucoupons -pcoupons-local-test \
  -e "DROP DATABASE IF EXISTS $database; CREATE DATABASE $database CHARACTER SET utf8mb4"
mysql="${COUPONS_TEST_MYSQL/Database=coupons_test/Database=$database}"
redis-cli -p "$redis_port" -n 1 FLUSHDB >/dev/null

(
  cd src/Coupons.Api/bin/Release/net10.0
  export ASPNETCORE_ENVIRONMENT=Testing Urls="http://127.0.0.1:$app_port" Admin__Url="http://127.0.0.1:$admin_port"
  export Database__Provider=MySql ConnectionStrings__coupons="$mysql" Database__MigrateAtStart=true
  export Redis__Embedded=false ConnectionStrings__redis="$COUPONS_TEST_REDIS,defaultDatabase=1"
  export Kafka__Embedded=false ConnectionStrings__kafka="$COUPONS_TEST_KAFKA" Kafka__ReplicationFactor=1 Kafka__MinInSyncReplicas=1
  export Kafka__Topic=coupon.issue.requested.examples Kafka__DeadLetterTopic=coupon.issue.requested.examples.dlq Kafka__ConsumerGroup=coupon-issue-examples
  export Admin__ApiKey="$admin_key" Admin__Keys__0__Id=drill Admin__Keys__0__Key="$drill_key"
  export Auth__AllowAnonymous=true Seed__DemoData=false Logging__LogLevel__Coupons=Information
  exec setsid dotnet Coupons.Api.dll
) > "$work/app.log" 2>&1 &
groups+=($!)

mkdir -p "$work/prometheus"
cp deploy/prometheus/alerts.yml "$work/prometheus/"
cat > "$work/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 10s
  evaluation_interval: 10s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: coupons-api
    static_configs:
      - targets: ['127.0.0.1:$admin_port']
EOF
setsid prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" > "$work/prometheus.log" 2>&1 &
groups+=($!)

wait_for "the app" 90 curl -sf "http://127.0.0.1:$app_port/health/ready"
wait_for "Prometheus's scrape of the app" 90 bash -c \
  "curl -sf 'http://127.0.0.1:$prometheus_port/api/v1/query?query=up%3D%3D1' | grep -q '\"value\"'"

export COUPONCTL_MYSQL_PORT="$mysql_port" COUPONCTL_REDIS_PORTS="$redis_port"
targets=(--url "http://127.0.0.1:$app_port" --admin-url "http://127.0.0.1:$admin_port" --admin-key "$admin_key")
sources=(--prometheus "http://127.0.0.1:$prometheus_port" --mysql "$mysql")
db_check=("http://127.0.0.1:$prometheus_port" -h127.0.0.1 -P"$mysql_port" -ucoupons -pcoupons-local-test "$database")
for scenario in redis-down mysql-partition kafka-down memory-256m; do
  drill "$scenario" "${db_check[@]}" -- --stack test --repo "$repo" "${targets[@]}" "${sources[@]}" --drill-key "$drill_key" \
    -- "${sources[@]}" --log "$work/app.log"
done
report="$(ls -t "$work"/drills/*-redis-down.json 2>/dev/null | head -1 || true)"
[[ -n "$report" ]] && couponctl postmortem --drill "$report" "${sources[@]}" --log "$work/app.log" --lang ko --out "$work/drills"

for group in "${groups[@]}"; do kill -- "-$group" 2>/dev/null || true; done
groups=()
unset COUPONCTL_MYSQL_PORT COUPONCTL_REDIS_PORTS
scripts/test-infra.sh stop

# --- The production topology (the AppHost as the README starts it, on its state of its own), `status` beside the drill.
scripts/install-topology.sh
setsid dotnet run --project src/Coupons.AppHost -c Release --no-build -- --Topology:StateDirectory="$repo/$work/topology" \
  > "$work/apphost.log" 2>&1 &
groups+=($!)
wait_for "the topology" 300 bash -c "curl -sf http://127.0.0.1:18181/health/ready && curl -sf http://127.0.0.1:18182/health/ready && curl -sf http://127.0.0.1:19390/-/ready"
export COUPONCTL_ADMIN_KEY=local-topology-admin-key-NOT-A-SECRET-0001 COUPONCTL_ALERTMANAGER=http://127.0.0.1:19393
export COUPONCTL_PROMETHEUS=http://127.0.0.1:19390
export COUPONCTL_MYSQL='Server=127.0.0.1;Port=13316;Database=coupons;User ID=couponctl;Password=couponctl-local-topology'
sleep 30 # two scrapes and rule evaluations of the healthy topology: the drill refuses to start while an alert is pending

setsid bash -c '
  while :; do
    echo "---- couponctl status (both replicas, Alertmanager) at $(date -u +%H:%M:%S) UTC"
    dotnet "$0/src/Coupons.Cli/bin/Release/net10.0/couponctl.dll" status --url http://127.0.0.1:18181 --url http://127.0.0.1:18182 \
      --admin-url http://127.0.0.1:19181 --admin-url http://127.0.0.1:19182 || echo "(exit $?)"
    sleep 10
  done' "$repo" > "$work/status-app-kill.txt" 2>&1 &
status_group=$!
groups+=("$status_group")
drill app-kill "$COUPONCTL_PROMETHEUS" -h127.0.0.1 -P13316 -ucouponctl -pcouponctl-local-topology coupons \
  -- --stack topology --url http://127.0.0.1:8081 --admin-url http://127.0.0.1:19182 --
kill -- "-$status_group" 2>/dev/null || true
sleep 1 # the last status read, if one was running, has stopped writing

# --- The examples: this run's files replace the old drill files.
mkdir -p "$out"
if [[ "$out" == "$repo/docs/examples" ]]; then
  find "$out" -mindepth 1 -maxdepth 1 \( -name '[0-9]*T*Z-*' -o -name 'status-*.txt' -o -name 'checks.txt' \) -exec rm -rf {} +
fi
cp -r "$work"/drills/* "$out"/
cp "$work/status-app-kill.txt" "$work/checks.txt" "$out/"
echo "examples written to $out:"
ls "$out"
