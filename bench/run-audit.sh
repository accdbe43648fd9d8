#!/usr/bin/env bash
# The audit log's cost: records appended per second (1 and 4 threads; SM3 + one H2 insert each,
# a signed checkpoint every 1000) and the time to verify a 100,000-record log. Raw results go to
# bench/results/audit-jmh.*; the figures go to docs/PERFORMANCE.md by hand.
#
#   bench/run-audit.sh            # ~3 minutes on 2 cores
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mkdir -p bench/results
mvn -B -q -pl bench -am -DskipTests package
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
"$JAVA_HOME/bin/java" -jar bench/target/midang-bench.jar AuditBench \
  -f 1 -wi 2 -w 3s -i 5 -r 3s -rf csv -rff bench/results/audit-jmh.csv | tee bench/results/audit-jmh.txt | grep -E "^AuditBench|Benchmark"
