#!/usr/bin/env bash
# The summary's cost: checking one filled report form (what every campaign status and summary
# does per unit) and building the summary's JSON, .xlsx and .docx for 22 and 500 units. Raw
# results go to bench/results/summary-jmh.*; the figures go to docs/PERFORMANCE.md by hand.
#
#   bench/run-summary.sh            # ~3 minutes on 2 cores
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build
"$JAVA_HOME/bin/java" -Xmx1g -jar bench/target/midang-bench.jar SummaryBench \
  -f 1 -wi 3 -w 2s -i 5 -r 2s -rf csv -rff bench/results/summary-jmh.csv | tee bench/results/summary-jmh.txt | grep -E "^SummaryBench|Benchmark"
