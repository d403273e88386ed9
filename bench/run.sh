#!/usr/bin/env bash
# Reproduces bench/RESULTS.md: starts the real stack (MariaDB, redis-server, mock Kafka), the app in Release with
# the DB-lock baseline enabled, and runs every scenario against it in one run on this machine.
#   bench/run.sh                      # defaults: 10,000/s open-model FCFS, 5,000/s accept-all, 60 s each
#   bench/run.sh --duration 20 --rate 5000     # extra arguments go to the load generator
#   bench/run.sh --only soak                   # ten minutes at 3,000/s, app memory per minute
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build bench/Coupons.Bench -c Release -v quiet -nologo >/dev/null
# shellcheck disable=SC2086  # BENCH_APP_ENV: extra settings for the app, e.g. BENCH_APP_ENV="Kafka__ConsumerBatchSize=2000"
bench/app.sh ${BENCH_APP_ENV:-}
app=$(cat .test-infra/bench-app.pid)
port=18081
key="bench-admin-key-not-a-secret-0123456789abcdef"
trap 'kill $app 2>/dev/null || true' EXIT

rss() { awk '/VmHWM|VmRSS/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$app/status"; echo; }
echo "# machine: nproc=$(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%dT%H:%MZ)"
# CPU per 1,000 clicks for each process of the stack (issue 24), from the pid files test-infra.sh keeps
processes="app=$app,mariadb=$(cat .test-infra/mysql.pid),redis=$(cat .test-infra/redis.pid),broker=$(cat .test-infra/kafka.pid)"
dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target "http://127.0.0.1:$port" --admin-key "$key" --app-pid "$app" \
  --processes "$processes" "$@"
echo "# app memory after the run: $(rss)"
