# Shared by the bench/run-*.sh scripts that need a running server. Source after bin/lib/common.sh
# (JAVA_HOME found) from the project root.

# bench_dev_server DIR: inits a dev deployment in DIR/data with a random passphrase and starts it
# with -Xmx512m on a free loopback port. Sets server_pid, port and pass; the log is DIR/server.log.
bench_dev_server() {
  local work=$1
  pass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar init --data "$work/data" --dev >/dev/null
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -Xmx512m -jar server/target/midang-server.jar run --data "$work/data" --port 0 \
    > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$port" ] || { echo "the dev server did not start; see $work/server.log" >&2; return 1; }
}
