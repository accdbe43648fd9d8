#!/usr/bin/env bash
# The audit log's cost: records appended per second (1 and 4 threads; SM3 + one H2 insert each,
# a signed checkpoint every 1000) and the time to verify a 100,000-record log. Raw results go to
# bench/results/audit-jmh.*; the figures go to docs/PERFORMANCE.md by hand.
#
#   bench/run-audit.sh            # ~3 minutes on 2 cores
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build
"$JAVA_HOME/bin/java" -jar bench/target/midang-bench.jar AuditBench \
  -f 1 -wi 2 -w 3s -i 5 -r 3s -rf csv -rff bench/results/audit-jmh.csv | tee bench/results/audit-jmh.txt | grep -E "^AuditBench|Benchmark"
