#!/usr/bin/env bash
# Checks the monitoring config the way CI must: Prometheus rules compile and pass their unit tests,
# Alertmanager's routing is valid, and every alert has a P0-P3 severity and an existing runbook.
set -euo pipefail
cd "$(dirname "$0")/.."

promtool check config deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts_test.yml)
amtool check-config deploy/alertmanager/alertmanager.yml

alerts=$(grep -cE '^\s+- alert: ' deploy/prometheus/alerts.yml)
severities=$(grep -cE '^\s+labels: \{severity: P[0-3]\}' deploy/prometheus/alerts.yml)
if [[ "$alerts" -ne "$severities" ]]; then
  echo "every alert needs labels: {severity: P0..P3} ($alerts alerts, $severities severities)" >&2
  exit 1
fi
missing=0
while read -r runbook; do
  [[ -f "$runbook" ]] || { echo "missing runbook: $runbook" >&2; missing=1; }
done < <(grep -oE 'runbook_url: \S+' deploy/prometheus/alerts.yml | awk '{print $2}' | sort -u)
runbooks=$(grep -cE '^\s+runbook_url: ' deploy/prometheus/alerts.yml)
if [[ "$runbooks" -ne "$alerts" ]]; then
  echo "every alert needs a runbook_url ($alerts alerts, $runbooks runbook_urls)" >&2
  exit 1
fi
[[ "$missing" -eq 0 ]]
echo "monitoring config OK: $alerts alerts, each with a severity and a runbook"
