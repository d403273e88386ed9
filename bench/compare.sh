#!/usr/bin/env bash
# The click's throughput of this checkout against another build's (issue 23: "within the noise of today's"), in one
# run on this machine: each build's app started fresh by its own bench/app.sh, the same closed all-accepted load
# (bench --only click), alternated round by round (base, this, base, this, ...) so drift shows instead of biasing one
# side.
#   bench/compare.sh 9087ca1                    # the commit before issue 23; 3 rounds of 15 s
#   bench/compare.sh 9087ca1 --rounds 5 --duration 20
#   bench/compare.sh 9087ca1 --this-env Outbox__RunRelay=false   # this build with a setting of its own (an experiment)
#   bench/compare.sh c8b4360 --clients 128      # issue 24: also the app's CPU per 1,000 accepted clicks, each side
#   bench/compare.sh c8b4360 --rate 4000 --duration 20   # the same figures at a fixed open rate both builds carry
#   bench/compare.sh c8b4360 --search 3000 --duration 15 # each build's accept-all capacity (p99 <= 50 ms), rising 1.25x
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref=${1:?usage: bench/compare.sh <git ref> [--rounds N] [--duration S]}
shift
rounds=3 duration=15 clients=64 rate= search= this_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --this-env) this_env+=("$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --search) search=$2; shift 2 ;;
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
  # Prints: accepted (2xx) per second, p99 ms, the app's CPU ms per 1,000 accepted clicks (to the last decision), the machine's.
  local root=$1; shift
  BENCH_APP_ROOT="$root" bench/app.sh "$@" >/dev/null
  local pid; pid=$(cat .test-infra/bench-app.pid)
  local processes="app=$pid,mariadb=$(cat .test-infra/mysql.pid),redis=$(cat .test-infra/redis.pid),broker=$(cat .test-infra/kafka.pid)"
  dotnet bench/Coupons.Bench/bin/Release/net10.0/Coupons.Bench.dll --target http://127.0.0.1:18081 \
    --admin-key bench-admin-key-not-a-secret-0123456789abcdef --users 400000 --warmup 20 --clients "$clients" --processes "$processes" \
    "${load[@]}" \
    | awk -F'|' '/^\| FCFS all accepted/ && !/to the last decision/ {gsub(/ /, "", $5); gsub(/ /, "", $12); rate = $5; p99 = $12}
                 /^\| FCFS all accepted.*to the last decision/ {gsub(/ /, "", $5); gsub(/ /, "", $10); app = $5; machine = $10}
                 /^- capacity: / {split($0, words, " "); capacity = words[3] == "below" ? "<" words[4] : words[3]}
                 function f(v) {return v == "" ? "-" : v}
                 END {print f(rate), f(p99), f(app), f(machine), f(capacity)}' \
    || true # a 5xx makes the bench exit 1: its figures are printed, and this round's app must still be stopped
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

# Closed (as many clicks as the app takes: throughput), or a fixed open rate (--rate: the CPU per click at a load both
# builds carry, steadier than at saturation, where spinning and batching vary from run to run).
if [[ -n "$search" ]]; then
  # Issue 24, item 4: the largest open rate each build serves with p99 <= 50 ms from schedule, from --search R up.
  load=(--only search --accept-rate "$search" --duration "$duration" --connections 256)
elif [[ -n "$rate" ]]; then
  load=(--only accept --accept-rate "$rate" --duration "$duration" --connections 256)
else
  load=(--only click --capacity-duration "$duration")
fi
echo "# machine: nproc=$(nproc), $(date -u +%Y-%m-%dT%H:%MZ); base $(git -C "$base" rev-parse --short HEAD), this $(git rev-parse --short HEAD) ${this_env[*]}"
ratios=() cpu_ratios=()
# a / b, or n/a when either is not a number above 0 (a side printed no figure: "-", "<3000/s,", empty).
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN {if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.3f", a / b; else printf "n/a"}'; }
for round in $(seq 1 "$rounds"); do
  read -r base_rate base_p99 base_app base_machine base_capacity < <(run "$base")
  read -r this_rate this_p99 this_app this_machine this_capacity < <(run . "${this_env[@]}")
  if [[ -n "$search" ]]; then
    echo "round $round: capacity (largest rate served with p99 <= 50 ms) base ${base_capacity}/s, this ${this_capacity}/s:" \
      "$(ratio_of "$this_capacity" "$base_capacity")x"
    continue
  fi
  ratio=$(ratio_of "$this_rate" "$base_rate")
  cpu_ratio=$(ratio_of "$this_app" "$base_app")
  ratios+=("$ratio") cpu_ratios+=("$cpu_ratio")
  echo "round $round: base ${base_rate} req/s (p99 ${base_p99} ms, app ${base_app} / machine ${base_machine} CPU ms per 1,000)," \
    "this ${this_rate} req/s (p99 ${this_p99} ms, app ${this_app} / machine ${this_machine}): ${ratio}x the clicks, ${cpu_ratio}x the app's CPU per click"
done
if [[ -z "$search" ]]; then
  echo "this / base click throughput per round: ${ratios[*]}"
  echo "this / base app CPU per accepted click per round: ${cpu_ratios[*]}"
fi
