#!/usr/bin/env bash
# The summary's cost: checking one filled report form (what every campaign status and summary
# does per unit) and building the summary's JSON, .xlsx and .docx for 22 and 500 units. Raw
# results go to bench/results/summary-jmh.*; the figures go to docs/PERFORMANCE.md by hand.
#
#   bench/run-summary.sh            # ~2 minutes on 2 cores
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mkdir -p bench/results
mvn -B -q -pl bench -am -DskipTests package
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
"$JAVA_HOME/bin/java" -Xmx1g -jar bench/target/midang-bench.jar SummaryBench \
  -f 1 -wi 3 -w 2s -i 5 -r 2s -rf csv -rff bench/results/summary-jmh.csv | tee bench/results/summary-jmh.txt | grep -E "^SummaryBench|Benchmark"
