#!/usr/bin/env bash
# Page times of the web console in a real browser (issue 15), for docs/PERFORMANCE.md: a dev server
# in its own JVM; a campaign of UNITS units (default 500), each enrolled with its own certificate and
# each handing in a report and a complete form; DOCS more reports (default 100,000, the generated
# Chinese corpus); then inspector-info's console and headless Chromium load the dashboard and run
# searches, 20 times each after a first load. Raw output in bench/results/console.txt.
#
#   bench/run-console.sh                      # 100,000 documents: the uploads take most of the time
#   UNITS=500 DOCS=5000 bench/run-console.sh  # a quicker look
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build bench
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
bench_dev_server "$work"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp bench/target/midang-bench.jar cn.midang.bench.ConsoleBench \
  "http://127.0.0.1:$port" "$work/data" "$pass" "${UNITS:-500}" "${DOCS:-100000}" 2> >(grep -v "Log4j API" >&2) \
  | tee bench/results/console.txt
