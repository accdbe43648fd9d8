#!/usr/bin/env bash
# Recognition of scans (issue 20), for docs/PERFORMANCE.md: (1) character accuracy and seconds per page of one A4 page of
# text in the notice's wording at 150, 200 and 300 dpi, with and without a red seal; (2) against a dev server in its own JVM, a PAGES-page
# scan (default 30) uploaded and a typed report right after it: when each is found by search. Raw output in
# bench/results/ocr.txt.
#
#   bench/run-ocr.sh              # about 10 minutes on 2 cores
#   PAGES=5 bench/run-ocr.sh      # a quicker look
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build bench
run() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp bench/target/midang-bench.jar \
  cn.midang.bench.OcrBench "$@" 2> >(grep -v "Log4j API" >&2); }
{
  run accuracy
  echo
  work=$(mktemp -d)
  trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
  bench_dev_server "$work"
  run delay "http://127.0.0.1:$port" "$work/data" "$pass" "${PAGES:-30}"
} | tee bench/results/ocr.txt
