#!/usr/bin/env bash
# How long a short command takes, wall clock, from the shell to the exit (issue 17: ≤ 0.8 s median
# for whoami and list), against a dev server on loopback, for docs/PERFORMANCE.md. RUNS runs each
# (default 9), once the launcher's start-up cache is ready; prints every
# time sorted and the median. Raw output in bench/results/startup.txt.
#
#   bench/run-startup.sh
#   RUNS=21 bench/run-startup.sh
#   WARMUP=0 bench/run-startup.sh    # against a server that has only just started
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build console
touch console/target/midang-console.jar   # as the launcher does after a build
(cd "$MIDANG_ROOT" && mvn -B -q -pl server -am -DskipTests package)
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
bench_dev_server "$work"
export MIDANG_PASSPHRASE=$pass MIDANG_SERVER=http://127.0.0.1:$port MIDANG_IDENTITY=$work/data/identities/unit-a.p12
export HOME=$work/home
mkdir -p "$HOME"
runs=${RUNS:-9}
# wall SECONDS for one command, to three decimals
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  bin/midang "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
measure() {
  local label=$1 times=() sorted
  shift
  for _ in $(seq 1 "$runs"); do times+=("$(timed "$@")"); done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-28s median %s s   runs: %s\n' "$label" "$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")" "$(echo $sorted)"
}
# The first command after a build records the start-up cache, which a background job then assembles
# (D53); wait for it, as a user's second command a few seconds later would find it ready.
bin/midang whoami >/dev/null
flock console/target/midang-console.aot.lock true
# A server that has just started answers its first requests before its JIT has compiled them; a
# user's server has been up for hours. WARMUP commands (default 20, untimed) warm it first; the
# figures of a cold server: WARMUP=0.
for _ in $(seq 1 "${WARMUP:-20}"); do bin/midang list --campaign demo >/dev/null; done
{
  echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); cores: $(nproc); runs: $runs; server warmed by ${WARMUP:-20} commands"
  measure "midang --version" --version
  measure "midang whoami" whoami
  measure "midang list --campaign demo" list --campaign demo
} | tee bench/results/startup.txt
