#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against real MariaDB, redis-server and the
# librdkafka mock Kafka cluster, which this script installs (apt) and starts on loopback, and stops at the end; and the
# HA drills on the production topology (src/Coupons.AppHost, started by the tests themselves through Aspire.Hosting.Testing).
set -euo pipefail
cd "$(dirname "$0")/.."

# The production topology's packages too (nginx, Prometheus, Alertmanager, Chromium): the Topology/ drills run it.
scripts/install-topology.sh
scripts/test-infra.sh start
trap 'scripts/test-infra.sh stop' EXIT
# shellcheck disable=SC1091
source .test-infra/env

scripts/check-monitoring.sh

log="$(mktemp)"
rm -f .test-infra/fault-outcomes.log .test-infra/fuzz-seeds.log
status=0
# A test stuck for 10 minutes fails the run (and names itself) instead of eating the CI budget.
dotnet test Coupons.slnx -c Release --logger "console;verbosity=normal" --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$log" || status=$?

# One plain summary line over all test assemblies.
count() { awk -v key="$1" '$1 == key":" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$log"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
# Each failed test with its message and the top of its stack, kept for the end of the output: CI shows only the tail.
failures="$(awk '
  /^  Failed [^ ]+ \[/ { keep = 1; lines = 0; print; next }
  keep && /^  (Passed|Skipped) / { keep = 0 }
  keep && /^\{"Timestamp"/ { next }
  keep && lines < 14 { print; lines++ }
' "$log")"
rm -f "$log"
if [[ -f .test-infra/fault-outcomes.log ]]; then
  echo "Fault scenarios (docs/design.md §6):"
  cat .test-infra/fault-outcomes.log
fi
if [[ -f .test-infra/fuzz-seeds.log ]]; then
  echo "Generated adversaries (replay one with COUPONS_FUZZ_SEED=<seed>; COUPONS_FUZZ_SCALE=<n> runs n times the cases):"
  cat .test-infra/fuzz-seeds.log
fi
if [[ -n "$failures" ]]; then
  echo "Failed tests:"
  printf '%s\n' "$failures"
fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [[ "$passed" -eq 0 ]]; then
  echo "no tests ran" >&2
  exit 1
fi
exit "$status"
