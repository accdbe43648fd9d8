#!/usr/bin/env bash
# The cost of the storage seam (issue 18): one dev server on the embedded H2 database and files,
# then one on PostgreSQL and an S3 bucket (a throw-away PostgreSQL cluster from Debian's initdb and
# s3proxy on loopback, both on this machine), then two nodes sharing another database and bucket
# (node B made by 'midang-server join'), each measured the same way: upload throughput
# (UploadBench: 10 MiB packages, 1 and 8 clients; with two nodes the clients take turns) and what a
# reader waits for (QueryBench: search, list, download p50/p99 over DOCS small reports, and how
# long from a receipt until search finds it; with two nodes, uploads go through A and reads through
# B). Results go to docs/PERFORMANCE.md by hand.
#
#   bench/run-storage.sh                 # ~5 minutes on 2 cores
#   DOCS=500 QUERIES=300 UPLOADS=4 bench/run-storage.sh
#   STORES=two-nodes KEEP=1 bench/run-storage.sh    # one configuration; keep the servers' logs
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mvn -B -q -pl bench,server -am -DskipTests package
mvn -B -q -pl server generate-test-resources   # target/s3proxy/s3proxy.jar
work=$(mktemp -d)
chmod 755 "$work"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill $server_pid $node_b_pid 2>/dev/null || true
  kill $s3_pid 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "kept: $work (servers' logs in */server.log)"; else rm -rf "$work"; fi
}
server_pid=; s3_pid=; node_b_pid=
trap cleanup EXIT

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; JDK $MIDANG_JAVA_MAJOR; server -Xmx512m"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PostgreSQL: a throw-away cluster, password authentication, as the postgres user when root.
pgpass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
pgport=$(free_port)
mkdir -p "$work/pgsetup"; echo "$pgpass" > "$work/pgsetup/pwfile"
[ "$(id -u)" = 0 ] && chown -R postgres "$work/pgsetup" && install -d -o postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg" -U midang --pwfile="$work/pgsetup/pwfile" -A scram-sha-256 -E UTF8 --locale=C >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pgsetup/postgres.log" -w -t 600 -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
PGPASSWORD=$pgpass psql -h 127.0.0.1 -p "$pgport" -U midang -d postgres -qc "CREATE DATABASE midang" >/dev/null
PGPASSWORD=$pgpass psql -h 127.0.0.1 -p "$pgport" -U midang -d postgres -qc "CREATE DATABASE midang_nodes" >/dev/null

# s3proxy with its file-system backend, one bucket.
s3port=$(free_port)
mkdir -p "$work/s3/midang-bench" "$work/s3/midang-nodes"
cat > "$work/s3.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
CONF
"$JAVA_HOME/bin/java" -Xmx256m -jar server/target/s3proxy/s3proxy.jar --properties "$work/s3.conf" > "$work/s3.log" 2>&1 &
s3_pid=$!
until (echo > "/dev/tcp/127.0.0.1/$s3port") 2>/dev/null; do kill -0 $s3_pid; sleep 0.1; done

run_node() { # DATA LOG: run the server of DATA; sets node_pid and port
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -jar server/target/midang-server.jar \
    run --data "$1" --port 0 > "$2" 2>&1 &
  node_pid=$!
  until grep -q "listening on" "$2"; do kill -0 $node_pid; sleep 0.2; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$2" | head -n 1)
}
start_server() { # DIR [init args...]: init a dev deployment in DIR/data and run it; sets server_pid, port, pass
  local dir=$1; shift
  mkdir -p "$dir"
  pass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar init --data "$dir/data" --dev "$@" >/dev/null
  run_node "$dir/data" "$dir/server.log"
  server_pid=$node_pid
}
bench() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/midang-bench.jar "$@"; }

declare -A upload query
stores=${STORES:-files postgresql two-nodes}
for store in $stores; do
  dir=$work/$store
  urls=
  if [ $store = files ]; then
    start_server "$dir"
  elif [ $store = postgresql ]; then
    export MIDANG_DATABASE_USER=midang MIDANG_DATABASE_PASSWORD=$pgpass AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
    export MIDANG_BLOBS_URL="s3://midang-bench?endpoint=http://127.0.0.1:$s3port&region=us-east-1"
    start_server "$dir" --database "jdbc:postgresql://127.0.0.1:$pgport/midang"
  else
    export MIDANG_BLOBS_URL="s3://midang-nodes?endpoint=http://127.0.0.1:$s3port&region=us-east-1"
    start_server "$dir" --database "jdbc:postgresql://127.0.0.1:$pgport/midang_nodes"
    urls="http://127.0.0.1:$port"
    "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar join --from "$dir/data" --data "$dir/node-b" --node node-b >/dev/null
    run_node "$dir/node-b" "$dir/node-b.log"
    node_b_pid=$node_pid
    urls="$urls,http://127.0.0.1:$port"
  fi
  urls=${urls:-http://127.0.0.1:$port}
  upload[$store]=$(bench cn.midang.bench.UploadBench "$urls" "$dir/data" "$pass" 10 1,8 "${UPLOADS:-2}" | tail -n 2)
  query[$store]=$(bench cn.midang.bench.QueryBench "$urls" "$dir/data" "$pass" "${DOCS:-300}" "${QUERIES:-200}" "$store")
  kill $server_pid $node_b_pid 2>/dev/null || true
  wait $server_pid $node_b_pid 2>/dev/null || true
  node_b_pid=
done
echo
echo "Upload throughput (10 MiB packages; MB/s of payload; two nodes: the clients take turns):"
echo "| store | clients | uploads | seconds | MB/s (payload) | uploads/s |"
echo "|---|---|---|---|---|---|"
for store in $stores; do echo "${upload[$store]}" | sed "s/^| 10 MiB/| $store/"; done
echo
echo "Reader latency, ms p50 / p99 (${DOCS:-300} reports, ${QUERIES:-200} of each after as many to warm up; two nodes:"
echo "uploads through A, reads through B), and receipt to searchable, ms p50 / max of 20:"
echo "| store | search | list (50) | download | receipt → searchable |"
echo "|---|---|---|---|---|"
for store in $stores; do echo "${query[$store]}"; done
