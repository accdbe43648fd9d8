# Shared by the bench/run-*.sh scripts that need a running server. Source after bin/lib/common.sh
# (JAVA_HOME found) from the project root.

# bench_dev_server DIR: inits a dev deployment in DIR/data with a random passphrase and starts it
# with -Xmx512m on a free loopback port (and the JVM options in BENCH_SERVER_OPTS, if any). Sets
# server_pid, port and pass; the log is DIR/server.log.
bench_dev_server() {
  local work=$1
  pass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -jar server/target/midang-server.jar init --data "$work/data" --dev >/dev/null
  MIDANG_PASSPHRASE=$pass "$JAVA_HOME/bin/java" -Xmx512m ${BENCH_SERVER_OPTS:-} -jar server/target/midang-server.jar run --data "$work/data" --port 0 \
    > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  [ -n "$port" ] || { echo "the dev server did not start; see $work/server.log" >&2; return 1; }
}

# bench_build [MODULES]: finds a JDK 21+, builds MODULES (default: bench) and what they need, and
# prints the JDK and CPU the figures come from. Leaves the shell in the project root.
bench_build() {
  midang_find_jdk build
  midang_maven_opts
  cd "$MIDANG_ROOT"
  mkdir -p bench/results
  mvn -B -q -pl "${1:-bench}" -am -DskipTests package
  echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
}
