#!/usr/bin/env bash
# Upload throughput: a dev server in its own JVM (-Xmx512m), clients in another; 1, 8 and 32
# concurrent clients with 10 MiB and 200 MiB payloads. Prints a table and the server's peak heap
# (the largest heap before a collection, from the server's GC log: sampling it with jstat started a
# JVM every 200 ms beside the one measured). Results go to docs/PERFORMANCE.md by hand.
#
#   bench/run-upload.sh                  # ~10 minutes on 2 cores
#   UPLOADS=1 bench/run-upload.sh        # uploads per client (default 2 for 10 MiB, 1 for 200 MiB)
#   SIZES=200 CLIENTS=8 UPLOADS=2 bench/run-upload.sh   # one case: 8 clients, two 200 MiB uploads each
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mvn -B -q -pl bench,server -am -DskipTests package
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
BENCH_SERVER_OPTS="-Xlog:gc:file=$work/gc.log" bench_dev_server "$work"
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; JDK $MIDANG_JAVA_MAJOR; server -Xmx512m"
run() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/midang-bench.jar" cn.midang.bench.UploadBench \
          "http://127.0.0.1:$port" "$work/data" "$pass" "$@"; }
from=1 # the table's two header lines once, from the first size's output
for mib in ${SIZES:-10 200}; do
  default_uploads=1
  [ "$mib" -lt 100 ] && default_uploads=2
  run "$mib" "${CLIENTS:-1,8,32}" "${UPLOADS:-$default_uploads}" | tail -n "+$from"
  from=3
done
kill $server_pid; wait $server_pid 2>/dev/null || true
echo
# "… Pause Young (Normal) (G1 Evacuation Pause) 150M->40M(512M) 5.1ms": the heap in use before each collection.
peak=$(sed -n 's/.* \([0-9]*\)M->[0-9]*M([0-9]*M).*/\1/p' "$work/gc.log" | sort -n | tail -n 1)
echo "Server peak heap used (before a collection, GC log): ${peak:-?} MiB of 512 MiB"
