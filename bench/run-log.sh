#!/usr/bin/env bash
# The transparency log's cost (issue 16), for docs/PERFORMANCE.md: an idle round, rounds taking in
# 1,000 and 10,000 statements, growing the log to SIZE entries (default 1,000,000), then inclusion and
# consistency proofs at that size, made from the tiles in H2 and checked. Raw output in
# bench/results/log.txt.
#
#   bench/run-log.sh              # a few minutes on 2 cores
#   SIZE=100000 bench/run-log.sh  # a quicker look
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build bench
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp bench/target/midang-bench.jar \
  cn.midang.bench.LogBench "${SIZE:-1000000}" 2> >(grep -v "Log4j API" >&2) | tee bench/results/log.txt
