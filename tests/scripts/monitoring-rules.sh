#!/usr/bin/env bash
# The shipped Prometheus rules and Grafana dashboard (packaging/monitoring) as an operator installs
# them: promtool accepts the rules file, the dashboard is JSON. Their behaviour on metrics files the
# daemon really wrote is tested in tests/KeyAgentd.Tests/Monitoring (promtool test rules).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (apt-get install -y prometheus)"; exit 77; }
promtool --version 2>&1 | head -1
out=$(promtool check rules packaging/monitoring/keyagentd.rules.yml 2>&1) || { echo "FAIL: promtool check rules: $out"; exit 1; }
echo "$out"
alerts=$(grep -c '^ *- alert: ' packaging/monitoring/keyagentd.rules.yml)
grep -q "SUCCESS: $alerts rules found" <<<"$out" || { echo "FAIL: promtool found other than $alerts rules"; exit 1; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["uid"] and d.get("id") is None, "uid/id"' \
  packaging/monitoring/grafana/keyagentd-fleet.json || { echo "FAIL: packaging/monitoring/grafana/keyagentd-fleet.json"; exit 1; }
echo "ok: $alerts alert rules, dashboard $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["panels"]))' packaging/monitoring/grafana/keyagentd-fleet.json) panels"
