#!/usr/bin/env bash
# Fuzzing of every parser of untrusted bytes with Jazzer (issue 19): each @FuzzTest of
# server/src/test/java/cn/midang/server/fuzz/ParsersFuzzTest.java runs for 10^6 executions
# (ParsersFuzzTest.RUNS), one after another, coverage-guided over our classes and the libraries
# that parse for us (server/src/test/resources/junit-platform.properties). An input that makes a
# parser throw anything but its own refusal is written to
# server/src/test/resources/cn/midang/server/fuzz/ParsersFuzzTestInputs/TARGET/ — fix the parser,
# keep the file: bin/test runs every kept input (regression mode). The corpus each run grows is in
# server/.cifuzz-corpus/ (not in git). Prints one line per target: executions, seconds, exec/s,
# coverage, findings. About 1 to 15 minutes a target on 2 cores.
#
#   bench/run-fuzz.sh                       # all eight targets
#   bench/run-fuzz.sh campaignYaml receipt  # some of them
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mkdir -p bench/results
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sealedPackage signedRequestHeaders receipt signedStatement campaignYaml reportForm searchQuery auditExport)
# The reactor's own classes (-am): a build of another checkout meanwhile changes nothing under the fuzzer.
mvn -B -q -o -pl server -am -DskipTests test-compile 2>/dev/null || mvn -B -q -pl server -am -DskipTests test-compile
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
printf '%-22s %10s %8s %8s %6s %s\n' target executions seconds exec/s cov findings
for t in "${targets[@]}"; do
  log=$(mktemp -t "midang-fuzz-$t.XXXXXX")
  start=$(date +%s)
  status=0
  JAZZER_FUZZ=1 mvn -B -o -pl server -am surefire:test -Dsurefire.failIfNoSpecifiedTests=false \
      -Dtest="ParsersFuzzTest#$t" -DtrimStackTrace=false > "$log" 2>&1 || status=$?
  took=$(( $(date +%s) - start ))
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"${done_line:-$last}")
  cov=$(grep -oE 'cov: [0-9]+' <<<"${done_line:-$last}" | grep -oE '[0-9]+' || true)
  speed=$(grep -oE 'exec/s: [0-9]+' <<<"${done_line:-$last}" | grep -oE '[0-9]+' || true)
  if [ "$status" = 0 ] && [ -n "$done_line" ]; then found=0; else found="FAILED (see $log)"; fi
  printf '%-22s %10s %8s %8s %6s %s\n' "$t" "${runs:-?}" "$took" "${speed:-?}" "${cov:-?}" "$found"
  [ "$status" != 0 ] || rm -f "$log"
done
