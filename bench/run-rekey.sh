#!/usr/bin/env bash
# What a rekey costs (issue 16), for docs/PERFORMANCE.md: COUNT packages of SIZE bytes re-addressed
# to a next archive key, with the record and index keys re-sealed and new shares written, as the server
# does it at the agreeing unseal. Raw output in bench/results/rekey.txt.
#
#   bench/run-rekey.sh                          # 2,000 packages of 64 KiB, then 20 of 16 MiB
#   COUNT=10000 SIZE=4096 bench/run-rekey.sh    # one run of your own
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build bench
run() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp bench/target/midang-bench.jar \
    cn.midang.bench.RekeyBench "$1" "$2" 2> >(grep -v "Log4j API" >&2)
}
{
  if [ -n "${COUNT:-}" ]; then
    run "$COUNT" "${SIZE:-65536}"
  else
    run 2000 65536
    run 20 16777216
  fi
} | tee bench/results/rekey.txt
