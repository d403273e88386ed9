#!/usr/bin/env bash
# The HA drills on the production topology, alone or all together. Each drill is a test in
# tests/Coupons.IntegrationTests/Topology that starts src/Coupons.AppHost on test ports of its own (nginx :28081, ...,
# state under .test-infra/topology), breaks one thing mid-load, checks I1-I6 (docs/design.md §2) in MariaDB and prints one result line.
#   scripts/topology-drill.sh            # every drill (~5 minutes)
#   scripts/topology-drill.sh replica    # one app replica kill -9 behind nginx
#   scripts/topology-drill.sh redis      # Redis primary kill -9; Sentinel promotes the replica
#   scripts/topology-drill.sh broker     # the Kafka broker leading a partition goes down (RF 3)
#   scripts/topology-drill.sh pitr       # MariaDB backup + binlog point-in-time restore, gate rebuilt
#   scripts/topology-drill.sh apm        # a click's trace in the dashboard (Chromium screenshot), then the APM killed
#   scripts/topology-drill.sh alerts     # MariaDB stopped -> P0 page at the receiver -> resolved after restart
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-all}" in
  all) filter="FullyQualifiedName~Coupons.IntegrationTests.Topology" ;;
  replica) filter="FullyQualifiedName~HaDrillTests.One_app_replica_killed" ;;
  redis) filter="FullyQualifiedName~HaDrillTests.Redis_primary_killed" ;;
  broker) filter="FullyQualifiedName~HaDrillTests.The_broker_leading" ;;
  pitr) filter="FullyQualifiedName~RecoveryDrillTests" ;;
  apm) filter="FullyQualifiedName~ApmDrillTests" ;;
  alerts) filter="FullyQualifiedName~AlertPathDrillTests" ;;
  *) echo "usage: $0 [all|replica|redis|broker|pitr|apm|alerts]" >&2; exit 2 ;;
esac

scripts/install-topology.sh
mkdir -p .test-infra && rm -f .test-infra/fault-outcomes.log
status=0
dotnet test tests/Coupons.IntegrationTests -c Release --filter "$filter" --logger "console;verbosity=minimal" || status=$?
echo "Drill results:"
cat .test-infra/fault-outcomes.log 2>/dev/null || echo "(none recorded)"
exit "$status"
