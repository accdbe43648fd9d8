#!/usr/bin/env bash
# Search figures for docs/PERFORMANCE.md and docs/DECISIONS.md:
#  1. bigram analysis vs SmartChineseAnalyzer: recall, precision, indexing speed (20,000 documents);
#  2. indexing rate and query latency on DOCS generated Chinese documents (default 100,000):
#     encrypted index + Tika in child JVMs (the server's pipeline), the same on a plain directory,
#     and plain Tika in-process + Lucene as the baseline;
#  3. query latency alone: one plain index, its segments copied into an encrypted directory, both
#     queried alternately, three rounds, then each kind's p99 as the median over the rounds;
#  4. near-real-time: receipt -> found by search, through a dev server in its own JVM.
# Raw output goes to bench/results/search-*.txt.
#
#   bench/run-search.sh                 # ~30 minutes on 2 cores
#   DOCS=10000 bench/run-search.sh      # a quicker look
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mkdir -p bench/results
mvn -B -q -pl bench,server -am -DskipTests package
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; JDK $MIDANG_JAVA_MAJOR"
bench() { "${java[@]}" -Xmx2g -cp bench/target/midang-bench.jar cn.midang.bench.SearchBench "$@" 2>/dev/null | grep -v "Log4j API"; }
bench analyzers 20000 | tee bench/results/search-analyzers.txt
echo
bench index "${DOCS:-100000}" encrypted plain baseline | tee bench/results/search-index.txt
echo
bench queries "${DOCS:-100000}" 3 | tee bench/results/search-queries.txt
echo

work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
bench_dev_server "$work"
"$JAVA_HOME/bin/java" -cp bench/target/midang-bench.jar cn.midang.bench.NrtBench \
  "http://127.0.0.1:$port" "$work/data" "$pass" "${ROUNDS:-50}" 2>/dev/null | grep -v "Log4j API" | tee bench/results/search-nrt.txt
