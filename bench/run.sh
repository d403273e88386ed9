#!/usr/bin/env bash
# Reproduces bench/RESULTS.md: starts the real stack (MariaDB, redis-server, mock Kafka), the app in Release with
# the DB-lock baseline enabled, and runs every scenario against it in one run on this machine.
#   bench/run.sh                      # defaults: 10,000/s open-model FCFS, 5,000/s accept-all, 60 s each
#   bench/run.sh --duration 20 --rate 5000     # extra arguments go to the load generator
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-infra.sh start >/dev/null
# shellcheck disable=SC1091
source .test-infra/env
dotnet build src/Coupons.Api -c Release -v quiet -nologo >/dev/null
dotnet build bench/Coupons.Bench -c Release -v quiet -nologo >/dev/null

port=18081
key="bench-admin-key-not-a-secret"
export Urls="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
  Database__Provider=MySql Database__ConnectionString="$COUPONS_TEST_MYSQL" \
  Redis__Embedded=false Redis__Configuration="$COUPONS_TEST_REDIS" \
  Kafka__Embedded=false Kafka__BootstrapServers="$COUPONS_TEST_KAFKA" \
  Seed__DemoData=false Admin__ApiKey="$key" Bench__DbLockBaseline=true \
  Issuance__PerUserPerSecond=1000 Logging__LogLevel__Default=Warning
dotnet src/Coupons.Api/bin/Release/net10.0/Coupons.Api.dll > .test-infra/bench-app.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done

rss() { awk '/VmHWM|VmRSS/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$app/status"; echo; }
echo "# machine: nproc=$(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%dT%H:%MZ)"
dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target "http://127.0.0.1:$port" --admin-key "$key" "$@"
echo "# app memory after the run: $(rss)"
