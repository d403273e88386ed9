#!/usr/bin/env bash
# Starts the app in Release against the real test stack (MariaDB, redis-server, mock Kafka), isolated from the tests'
# data: a fresh database `coupons_bench`, Redis database 1 (flushed), and a topic and consumer group of its own.
# Writes the app's pid to .test-infra/bench-app.pid and waits until it is ready. Used by bench/run.sh.
#   bench/app.sh [extra environment assignments, e.g. DOTNET_GCHeapHardLimit=0x10000000]
#   BENCH_APP_ROOT=<another checkout> bench/app.sh   # that checkout's app, on this stack (bench/compare.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-infra.sh start >/dev/null
# shellcheck disable=SC1091
source .test-infra/env
app_root=${BENCH_APP_ROOT:-.}
dotnet build "$app_root/src/Coupons.Api" -c Release -v quiet -nologo >/dev/null

run=$(date +%s)
mariadb --no-defaults -h127.0.0.1 -P3317 -ucoupons -pcoupons-local-test \
  -e "DROP DATABASE IF EXISTS coupons_bench; CREATE DATABASE coupons_bench CHARACTER SET utf8mb4;"
redis-cli -p "${COUPONS_TEST_REDIS##*:}" -n 1 FLUSHDB >/dev/null

port=18081
# The test stack speaks plaintext on loopback: Production refuses that unless allowed by name (Production__AllowPlaintext…).
export Urls="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
  Database__Provider=MySql ConnectionStrings__coupons="${COUPONS_TEST_MYSQL/Database=coupons_test/Database=coupons_bench}" \
  Redis__Embedded=false ConnectionStrings__redis="$COUPONS_TEST_REDIS,defaultDatabase=1" \
  Kafka__Embedded=false ConnectionStrings__kafka="$COUPONS_TEST_KAFKA" \
  Kafka__Topic="coupon.issue.requested.bench-$run" Kafka__DeadLetterTopic="coupon.issue.requested.bench-$run.dlq" \
  Kafka__EventsTopic="coupon.events.bench-$run" \
  Kafka__ConsumerGroup="coupon-issue-bench-$run" Kafka__ReplicationFactor=1 Kafka__MinInSyncReplicas=1 \
  Seed__DemoData=false Admin__ApiKey="bench-admin-key-not-a-secret-0123456789abcdef" Bench__DbLockBaseline=true \
  Production__AllowDbLockBaseline=true Auth__AllowAnonymous=true Production__AllowAnonymousClicks=true \
  Production__AllowPlaintextKafka=true Production__AllowPlaintextRedis=true Production__AllowPlaintextMySql=true \
  Auth__Issuer=coupons-bench Auth__Audience=coupons-api Auth__SigningKeys__0__Id=bench \
  Auth__SigningKeys__0__Key="YmVuY2gtand0LWtleS1ub3QtYS1zZWNyZXQtMDEyMzQ1Njc4OQ==" \
  Edge__ClicksPerClientPerSecond=10000000 Edge__ReadsPerClientPerSecond=10000000 Edge__AdminPerClientPerSecond=10000000 Edge__CheckoutPerClientPerSecond=10000000 \
  Issuance__PerUserPerSecond=1000 Logging__LogLevel__Default=Warning
for assignment in "$@"; do export "${assignment?}"; done
if [[ -f "$app_root/src/Coupons.Api/Infrastructure/Database/SchemaCommand.cs" ]]; then
  # The production order: the migration step first (the test user may change the schema), then the replica.
  dotnet "$app_root/src/Coupons.Api/bin/Release/net10.0/Coupons.Api.dll" --migrate > .test-infra/bench-migrate.log 2>&1 \
    || { echo "migration failed; see .test-infra/bench-migrate.log" >&2; exit 1; }
else
  # A build from before the migration step and the stores' addresses under ConnectionStrings (c8b4360, issue 24's
  # base): the names it reads; it migrates as it starts.
  export Database__ConnectionString="$ConnectionStrings__coupons" Redis__Configuration="$ConnectionStrings__redis" \
    Kafka__BootstrapServers="$ConnectionStrings__kafka"
fi
# Its content root is its build output, as in the image: appsettings.json applies (logging, as production has it).
nohup dotnet "$app_root/src/Coupons.Api/bin/Release/net10.0/Coupons.Api.dll" --contentRoot "$(cd "$app_root" && pwd)/src/Coupons.Api/bin/Release/net10.0" \
  > .test-infra/bench-app.log 2>&1 &
echo $! > .test-infra/bench-app.pid
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && exit 0; sleep 0.5; done
echo "app did not become ready; see .test-infra/bench-app.log" >&2
exit 1
