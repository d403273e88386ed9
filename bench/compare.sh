#!/usr/bin/env bash
# The click's throughput of this checkout against another build's (issue 23: "within the noise of today's"), in one
# run on this machine: each build's app started fresh by its own bench/app.sh, the same closed all-accepted load
# (bench --only click), alternated round by round (base, this, base, this, ...) so drift shows instead of biasing one
# side.
#   bench/compare.sh 9087ca1                    # the commit before issue 23; 3 rounds of 15 s
#   bench/compare.sh 9087ca1 --rounds 5 --duration 20
#   bench/compare.sh 9087ca1 --this-env Outbox__RunRelay=false   # this build with a setting of its own (an experiment)
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref=${1:?usage: bench/compare.sh <git ref> [--rounds N] [--duration S]}
shift
rounds=3 duration=15 this_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --this-env) this_env+=("$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done

base=.test-infra/bench-base
rm -rf "$base"
git worktree prune
git worktree add --detach "$base" "$base_ref" >/dev/null
trap 'kill "$(cat .test-infra/bench-app.pid 2>/dev/null)" 2>/dev/null || true; git worktree remove --force "$base" || true' EXIT
dotnet build bench/Coupons.Bench -c Release -v quiet -nologo >/dev/null

run() { # $1: the checkout whose app serves this round, on this checkout's stack (bench/app.sh); then its settings
  local root=$1; shift
  BENCH_APP_ROOT="$root" bench/app.sh "$@" >/dev/null
  local pid; pid=$(cat .test-infra/bench-app.pid)
  dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target http://127.0.0.1:18081 \
    --admin-key bench-admin-key-not-a-secret-0123456789abcdef --only click --users 120000 --capacity-duration "$duration" \
    | awk -F'|' '/FCFS all accepted/ {gsub(/ /, "", $4); gsub(/ /, "", $12); print $4, $12}'
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

echo "# machine: nproc=$(nproc), $(date -u +%Y-%m-%dT%H:%MZ); base $(git -C "$base" rev-parse --short HEAD), this $(git rev-parse --short HEAD) ${this_env[*]}"
ratios=()
for round in $(seq 1 "$rounds"); do
  read -r base_rate base_p99 < <(run "$base")
  read -r this_rate this_p99 < <(run . "${this_env[@]}")
  ratio=$(awk -v a="$this_rate" -v b="$base_rate" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$ratio")
  echo "round $round: base ${base_rate} req/s (p99 ${base_p99} ms), this ${this_rate} req/s (p99 ${this_p99} ms): ${ratio}x"
done
echo "this / base click throughput per round: ${ratios[*]}"
