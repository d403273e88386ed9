#!/usr/bin/env bash
# Where the app's CPU goes under the click (issue 24): perf samples the app (perf maps on, so JIT-compiled frames have
# names) for a few seconds in the middle of the bench's closed all-accepted load, then bench/profile_split.py charges
# every sample to a part of the click (HTTP, auth, limits, gate, publish, consumer, database, telemetry, GC, ...) and
# lists the top frames by self time. The load's own CPU budget per process is printed with it.
#   bench/profile.sh                         # 128 clients, 10 s of samples
#   bench/profile.sh --clients 32 --seconds 15
#   bench/profile.sh --app-env DOTNET_gcServer=1   # the app with a setting of its own (an experiment)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=128 seconds=10 app_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --app-env) app_env+=("$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done
command -v perf >/dev/null || apt-get install -y -qq linux-perf >/dev/null

dotnet build bench/Coupons.Bench -c Release -v quiet -nologo >/dev/null
# W^X off: with it, JIT-compiled code runs from a double mapping perf cannot match to the perf map
bench/app.sh DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "${app_env[@]}"
app=$(cat .test-infra/bench-app.pid)
load=
trap 'kill "$app" $load 2>/dev/null || true' EXIT
out=.test-infra/profile-load.txt
: > "$out"   # emptied before the load starts, so an earlier run's "# warmed up" cannot start the samples early
processes="app=$app,mariadb=$(cat .test-infra/mysql.pid),redis=$(cat .test-infra/redis.pid),broker=$(cat .test-infra/kafka.pid)"
# 30 s of the same load first (the JIT's tiers and profile-guided recompiles settle), then the measured load runs 5 s
# longer than the samples: 2 s before them, 3 s after.
dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target http://127.0.0.1:18081 \
  --admin-key bench-admin-key-not-a-secret-0123456789abcdef --only click --users 400000 --clients "$clients" \
  --warmup 30 --capacity-duration $((seconds + 5)) --processes "$processes" > "$out" &
load=$!
until grep -q "^# warmed up" "$out"; do
  kill -0 "$load" 2>/dev/null || { cat "$out"; echo "the load ended before its warm-up did" >&2; exit 1; }
  sleep 0.2
done
sleep 2
perf record -q -e cpu-clock -F 499 -g -p "$app" -o .test-infra/perf.data -- sleep "$seconds"
wait "$load" || echo "the load generator exited with $? (a 5xx answer, see its table)" >&2
load=
cat "$out"
echo
echo "## perf: the app's CPU, $seconds s in the middle of the load (${app_env[*]:-defaults})"
perf script -i .test-infra/perf.data 2>/dev/null | bench/profile_split.py 30
