#!/usr/bin/env bash
# The HA benchmark: starts the production topology (src/Coupons.AppHost, with Topology:LoadTest so one load generator
# is not held to the per-address limits, as bench/app.sh does for the single instance), then runs FCFS all-accepted,
# the open spike and the sold-out spike against replica 1 straight and through nginx in front of both replicas,
# alternated, and prints the HA / single ratios and the p99 nginx and the second replica add. Stops the topology at
# the end; each resource's console is kept in .test-infra/topology-bench-logs.
#   bench/topology.sh                               # 2 rounds, 20 s closed load with 64 clients, spike to 2,000
#   bench/topology.sh --capacity-duration 10 --ha-rounds 3
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-topology.sh >/dev/null
dotnet build src/Coupons.AppHost -c Release -v quiet -nologo >/dev/null
dotnet build bench/Coupons.Bench -c Release -v quiet -nologo >/dev/null
state=.test-infra/topology-bench
mkdir -p .test-infra
rm -rf "$state"
key="bench-topology-admin-key-not-a-secret-0123456789"
# What the AppHost's launch profile sets when it is started with dotnet run (the dashboard on :17180, plain HTTP).
ASPNETCORE_URLS=http://localhost:17180 ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:17181 \
ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:17182 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true DOTNET_ENVIRONMENT=Development \
dotnet src/Coupons.AppHost/bin/Release/net10.0/Coupons.AppHost.dll --Topology:LoadTest=true --Topology:StateDirectory="$state" \
  --Topology:AdminApiKey="$key" --Topology:ReadAdminApiKey="bench-topology-read-key-not-a-secret-0123456789" > .test-infra/topology-bench.log 2>&1 &
apphost=$!
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -fs http://127.0.0.1:8081/health/ready >/dev/null 2>&1 && curl -fs http://127.0.0.1:18182/health/ready >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs http://127.0.0.1:8081/health/ready >/dev/null || { echo "topology did not start; see .test-infra/topology-bench.log" >&2; exit 1; }
# The consumer group settles after the second replica joins (a rebalance on the mock broker takes ~20 s): wait until
# both replicas hold partitions, as the drills do.
held() { curl -fs "http://127.0.0.1:$1/metrics" | awk '/^coupons_consumer_assigned_partitions/ {print $NF}'; }
for _ in $(seq 1 240); do
  a=$(held 19181); b=$(held 19182)
  [[ "${a:-0}" != 0 && "${b:-0}" != 0 ]] && break
  sleep 0.5
done

# The CPU table's processes (issue 24, item 5), found by the ports the topology listens on; nginx is its master and
# workers, Redis its primary and replica.
pid_on() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
nginx_master=$(cat "$(find "$state" -name nginx.pid | head -1)")
nginx="$nginx_master$(pgrep -P "$nginx_master" | sed 's/^/+/' | tr -d '\n')"
processes="app-1=$(pid_on 18181),app-2=$(pid_on 18182),nginx=$nginx,mariadb=$(pid_on 13316),redis=$(pid_on 16391)+$(pid_on 16392)"
processes+=",broker=$(pid_on 19391)"

# DCP writes each resource's console to files in its temp directory and deletes them at teardown: follow each file by
# its descriptor into .test-infra/topology-bench-logs (NAME.out, NAME.err), so a replica that dies mid-run leaves its
# last words behind.
logs=.test-infra/topology-bench-logs
rm -rf "$logs" && mkdir -p "$logs"
dcp_dir=$(ls -dt /tmp/aspire-dcp* | head -1)   # the AppHost's DCP, started last
for resource in "$dcp_dir"/resource-executable-*.log; do
  [[ -f "$resource" ]] || continue
  id=${resource##*/resource-executable-}; id=${id%.log}
  name=$(grep -o '"Executable": "/[^"]*"' "$resource" | head -1 | sed -E 's|.*"/([^"]*)-[a-z0-9]+"|\1|')
  for stream in out err; do
    # --pid: each tail ends with the AppHost, whatever stops the script (each holds an inotify instance, and 128 per
    # user is all there is: tails left over from runs killed mid-way kept the next topology's replicas from starting).
    if [[ -f "$dcp_dir/${id}_$stream" ]]; then
      tail -n +1 -f --pid="$apphost" "$dcp_dir/${id}_$stream" > "$logs/${name:-$id}.$stream" 2>/dev/null &
    fi
  done
done

echo "# machine: nproc=$(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%dT%H:%MZ)"
dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target http://127.0.0.1:18181 --ha-target http://127.0.0.1:8081 \
  --admin-target http://127.0.0.1:19181 --admin-key "$key" --only ha --users 100000 --processes "$processes" "$@"
