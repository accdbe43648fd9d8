#!/usr/bin/env bash
# Backup and restore figures (issue 19): a dev server (-Xmx512m) receives UPLOADS (default 50)
# uploads of SIZE_MIB (default 10) MiB, then, while it runs, `midang-server backup` is timed
# against `cp -a` of its data directory (the peer: a plain copy, not consistent while the server
# writes), and `backup verify` and `restore` are timed; then a tenth more uploads arrive and an
# incremental backup (`--since` the first) is timed, with the bytes it added (du counts the
# packages it linked from the first once). Prints a table; figures go to
# docs/RELIABILITY.md and bench/results/backup.txt.
#
#   bench/run-backup.sh
#   UPLOADS=200 SIZE_MIB=10 bench/run-backup.sh
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mvn -B -q -pl bench,server -am -DskipTests package
mkdir -p bench/results
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
bench_dev_server "$work"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/midang-bench.jar cn.midang.bench.UploadBench \
    "http://127.0.0.1:$port" "$work/data" "$pass" "${SIZE_MIB:-10}" 1 "${UPLOADS:-50}" > /dev/null
server_jar() { MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar "$@"; }
seconds() { local t0; t0=$(date +%s%N); "$@" > /dev/null; awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
sync
bytes=$(du -sb "$work/data" | cut -f1)
t_backup=$(seconds server_jar backup --data "$work/data" --to "$work/backup")
t_cp=$(seconds cp -a "$work/data" "$work/plain-copy")
t_verify=$(seconds server_jar backup verify "$work/backup")
t_restore=$(seconds server_jar restore --from "$work/backup" --data "$work/restored")
backup_bytes=$(du -sb "$work/backup" | cut -f1)
more=$(( ${UPLOADS:-50} / 10 > 0 ? ${UPLOADS:-50} / 10 : 1 ))
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/midang-bench.jar cn.midang.bench.UploadBench \
    "http://127.0.0.1:$port" "$work/data" "$pass" "${SIZE_MIB:-10}" 1 "$more" > /dev/null
sync
t_incremental=$(seconds server_jar backup --data "$work/data" --to "$work/backup-2" --since "$work/backup")
added_bytes=$(du -sb "$work/backup" "$work/backup-2" | tail -n 1 | cut -f1)
{
  echo "== $(date -u +%Y-%m-%dT%H:%MZ) UPLOADS=${UPLOADS:-50} SIZE_MIB=${SIZE_MIB:-10}; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "| data directory | backup | backup (running server) | cp -a (peer) | backup verify | restore | incremental after $more more uploads | bytes it added |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| $((bytes / 1048576)) MiB | $((backup_bytes / 1048576)) MiB | ${t_backup} s | ${t_cp} s | ${t_verify} s | ${t_restore} s | ${t_incremental} s | $((added_bytes / 1048576)) MiB |"
} | tee -a bench/results/backup.txt
