# Shared by the launchers in bin/: find a JDK 22+, and build a module when its jar is missing
# or older than its sources. Source it; do not run it.

MIDANG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Prints the major Java version of the JDK at $1, or nothing.
midang_java_major() {
  local home="$1" v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$v" in
    1.*) echo "${v#1.}" | cut -d. -f1 ;;
    *) echo "$v" | cut -d. -f1 | cut -d- -f1 | cut -d+ -f1 ;;
  esac
}

# Sets JAVA_HOME to a JDK 22+ (with javac when $1 = build), looking at JAVA_HOME, the java on
# PATH, then /usr/lib/jvm/*. Exits with one clear sentence when there is none.
midang_find_jdk() {
  local need_javac="${1:-}" candidates=() c major best="" best_major=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  # MIDANG_JVM_DIRS replaces /usr/lib/jvm (tests use it to show what happens with no JDK).
  for c in "${MIDANG_JVM_DIRS:-/usr/lib/jvm}"/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    major=$(midang_java_major "$c")
    [ -n "$major" ] || continue
    [ "$major" -ge 22 ] 2>/dev/null || continue
    if [ "$need_javac" = build ] && [ ! -x "$c/bin/javac" ]; then continue; fi
    # The first acceptable candidate in the order above wins (JAVA_HOME, PATH, then the newest in /usr/lib/jvm).
    if [ -z "$best" ]; then best="$c"; best_major="$major"; fi
  done
  if [ -z "$best" ]; then
    echo "midang: no Java 22 or newer found (looked at JAVA_HOME, the java on PATH and /usr/lib/jvm); install a JDK 22+ or set JAVA_HOME to one." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  export MIDANG_JAVA_MAJOR="$best_major"
}

# Maven on JDK 24+ warns about sun.misc.Unsafe in its own libraries; silence that noise only.
midang_maven_opts() {
  if [ "${MIDANG_JAVA_MAJOR:-0}" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# midang_ensure_jar MODULE JAR [ALSO...]: builds MODULE (and what it needs) when JAR is missing or
# stale (older than the sources of keys, forms, MODULE, or the other modules ALSO it is made with).
midang_ensure_jar() {
  local module="$1" jar="$2" stale="" also=()
  shift 2
  for m in "$@"; do also+=("$MIDANG_ROOT/$m/pom.xml" "$MIDANG_ROOT/$m/src/main"); done
  if [ ! -f "$jar" ]; then
    stale="missing"
  elif [ -n "$(find "$MIDANG_ROOT/pom.xml" "$MIDANG_ROOT/keys/pom.xml" "$MIDANG_ROOT/keys/src/main" \
          "$MIDANG_ROOT/forms/pom.xml" "$MIDANG_ROOT/forms/src/main" "${also[@]}" \
          "$MIDANG_ROOT/$module/pom.xml" "$MIDANG_ROOT/$module/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    stale="older than its sources"
  fi
  [ -z "$stale" ] && return 0
  if [ -n "${MIDANG_NO_BUILD:-}" ]; then
    echo "midang: $jar is $stale and MIDANG_NO_BUILD is set; build with: mvn -pl $module -am package -DskipTests" >&2
    exit 1
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    echo "midang: Maven (mvn) is needed to build $module the first time; install it (apt-get install -y maven)." >&2
    exit 1
  fi
  midang_find_jdk build
  midang_maven_opts
  echo "midang: building $module ($stale)…" >&2
  local log
  log=$(mktemp)
  # One build at a time, even when several launchers start together.
  if ! ( flock 9; mvn -B -q -f "$MIDANG_ROOT/pom.xml" -pl "$module" -am -DskipTests package >"$log" 2>&1 ) 9>"$MIDANG_ROOT/.build.lock"; then
    cat "$log" >&2
    rm -f "$log"
    echo "midang: the build of $module failed (output above)." >&2
    exit 1
  fi
  rm -f "$log"
  # The jar plugin leaves a jar alone when its own classes did not change (a change in keys or
  # forms only); it is as new as its sources now, so say so.
  touch "$jar"
}
