#!/usr/bin/env bash
# The soak (issue 19): a dev server in its own JVM (-Xmx512m, its metrics listener on), and
# CLIENTS (default 32) concurrent clients for MINUTES (default 10) of mixed uploads, downloads
# (compared), listings, status and searches (SoakBench). Prints p50/p99 per operation, errors (must
# be 0), uploads lost (must be 0: each is downloaded again at the end), the server's live heap
# after a full GC at the end of the first minute and of the last, and whether the audit log gained
# exactly one record per request the server counted. The figures go to docs/RELIABILITY.md and
# bench/results/soak.txt. Exit 1 if any check fails.
#
#   bench/run-soak.sh                   # 32 clients, 10 minutes
#   CLIENTS=8 MINUTES=1 bench/run-soak.sh
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mvn -B -q -pl bench,server -am -DskipTests package
mkdir -p bench/results
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
pass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar init --data "$work/data" --dev >/dev/null
MIDANG_PASSPHRASE=$pass MIDANG_METRICS_LISTEN="127.0.0.1:$metrics_port" "$JAVA_HOME/bin/java" -Xmx512m \
    -jar server/target/midang-server.jar run --data "$work/data" --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
[ -n "$port" ] || { echo "the dev server did not start; see $work/server.log" >&2; exit 1; }
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; JDK $MIDANG_JAVA_MAJOR; server -Xmx512m"
out="$work/soak.txt"
status=0
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/midang-bench.jar cn.midang.bench.SoakBench \
    "http://127.0.0.1:$port" "http://127.0.0.1:$metrics_port/metrics" "$work/data" "$pass" "$server_pid" \
    "${CLIENTS:-32}" "${MINUTES:-10}" | tee "$out" || status=$?
{ echo "== $(date -u +%Y-%m-%dT%H:%MZ) CLIENTS=${CLIENTS:-32} MINUTES=${MINUTES:-10}"; cat "$out"; } >> bench/results/soak.txt
exit $status
