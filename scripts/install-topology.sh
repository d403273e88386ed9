#!/usr/bin/env bash
# Installs (apt) the Debian packages the local production topology runs (src/Coupons.AppHost): MariaDB, Redis (its
# server also runs the sentinels), nginx, Prometheus, Alertmanager, and Chromium for the dashboard's browser test.
# The AppHost itself installs nothing. Idempotent: only what is missing is installed.
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]] || missing+=("$2"); }
need mariadbd mariadb-server
need mariadb-dump mariadb-client
need redis-server redis-server
need nginx nginx-light
need prometheus prometheus
need prometheus-alertmanager prometheus-alertmanager
need chromium chromium

if ((${#missing[@]})); then
  echo "[install-topology] installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts the packaged services on install; the topology runs its own copies on its own ports.
for service in mariadb redis-server nginx prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    echo "[install-topology] note: the system's $service service is running; the topology does not use it"
  fi
done
echo "[install-topology] ready: dotnet run --project src/Coupons.AppHost"
