#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against real MariaDB, redis-server and the
# librdkafka mock Kafka cluster, which this script installs (apt) and starts on loopback, and stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-infra.sh start
trap 'scripts/test-infra.sh stop' EXIT
# shellcheck disable=SC1091
source .test-infra/env

log="$(mktemp)"
status=0
dotnet test Coupons.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One plain summary line over all test assemblies.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [[ "$passed" -eq 0 ]]; then
  echo "no tests ran" >&2
  exit 1
fi
exit "$status"
