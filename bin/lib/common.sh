# Shared by the launchers in bin/: find a JDK 22+, and build a module when its jar is missing
# or older than its sources. Source it; do not run it.

# The project's root. Every process a launcher starts costs about 5 ms here, and a short command
# is measured in tenths of a second (issue 17): where the shell's own builtins can do it, they do.
# From this file's path when it is already absolute and plain (bin/midang passes one), else by cd.
_midang_root=""
case "${BASH_SOURCE[0]}" in
  /*/bin/lib/common.sh) [[ "${BASH_SOURCE[0]}" == *"/."* ]] || _midang_root=${BASH_SOURCE[0]%/bin/lib/common.sh} ;;
esac
MIDANG_ROOT=${_midang_root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
unset _midang_root

# The JVM takes the encoding of file names, arguments and output from the C library's locale. A
# UTF-8 locale that is named but not installed (LANG=zh_CN.UTF-8 on a minimal server or in a
# container) makes it fall back to ASCII: every Chinese character printed as "?", and a Chinese file
# name refused ("Malformed input"). Then the JVM gets C.UTF-8 (glibc 2.35+ and Debian always have it)
# for all categories (one that fails fails them all); LANG is left as it is, and Midang's messages
# follow it. bash's own locale came from the same variables: a working one makes \u4e2d one
# character, a failed one several bytes. A locale that works, or is not UTF-8, is left alone.
midang_utf8_locale() {
  local probe=$'\u4e2d'
  [ ${#probe} -eq 1 ] && return 0
  case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
    *.[Uu][Tt][Ff]-8|*.[Uu][Tt][Ff]8|*.[Uu][Tt][Ff]-8@*|*.[Uu][Tt][Ff]8@*) export LC_ALL=C.UTF-8 ;;
  esac
}

# Sets _midang_major to the major Java version of the JDK at $1, or to nothing. A variable, not
# output: a command substitution would start a process of its own for every JDK looked at.
midang_java_major() {
  local home="$1" v="" line
  _midang_major=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; break ;; esac
    done < "$home/release"
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  _midang_major=${v%%[.+-]*}
}

# Sets JAVA_HOME to a JDK 22+ (with javac when $1 = build), looking at JAVA_HOME, the java on
# PATH, then /usr/lib/jvm/*. Exits with one clear sentence when there is none.
midang_find_jdk() {
  local need_javac="${1:-}" candidates=() c major best="" best_major=0 java
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  # The java on PATH is resolved only when it is reached ("path" below): a JAVA_HOME that is good
  # enough, as in most runs, costs no process at all.
  candidates+=(path)
  # MIDANG_JVM_DIRS replaces /usr/lib/jvm (tests use it to show what happens with no JDK).
  for c in "${MIDANG_JVM_DIRS:-/usr/lib/jvm}"/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if [ "$c" = path ]; then
      java=$(command -v java 2>/dev/null) || continue
      c=$(readlink -f "$java")
      c=${c%/bin/java}
    fi
    midang_java_major "$c"
    major=$_midang_major
    [ -n "$major" ] || continue
    [ "$major" -ge 22 ] 2>/dev/null || continue
    if [ "$need_javac" = build ] && [ ! -x "$c/bin/javac" ]; then continue; fi
    # The first acceptable candidate in the order above wins (JAVA_HOME, PATH, then the newest in /usr/lib/jvm).
    best="$c"; best_major="$major"
    break
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
# stale (older than the sources of keys, forms, MODULE, or the other modules ALSO it is made with,
# or than picocli/pom.xml, which names the picocli every command is built with).
midang_ensure_jar() {
  local module="$1" jar="$2" stale="" also=()
  shift 2
  for m in "$@"; do also+=("$MIDANG_ROOT/$m/pom.xml" "$MIDANG_ROOT/$m/src/main"); done
  if [ ! -f "$jar" ]; then
    stale="missing"
  elif [ -n "$(find "$MIDANG_ROOT/pom.xml" "$MIDANG_ROOT/keys/pom.xml" "$MIDANG_ROOT/keys/src/main" \
          "$MIDANG_ROOT/forms/pom.xml" "$MIDANG_ROOT/forms/src/main" "$MIDANG_ROOT/picocli/pom.xml" "${also[@]}" \
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

# Sets _midang_jdk_key to a name for the JDK at $1 that changes when it is replaced or updated:
# its full runtime version and its folder, as letters, digits, dots, dashes and underscores.
midang_jdk_key() {
  local home="$1" v="" line
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_RUNTIME_VERSION=*|JAVA_VERSION=*) line=${line#*=}; v="$v-${line//\"/}" ;; esac
    done < "$home/release"
  fi
  v="${v#-}-$home"
  _midang_jdk_key=${v//[^A-Za-z0-9.-]/_}
}

# midang_newer_than FILE OTHER...: true when FILE exists and is at least as new as every OTHER
# that exists (the shell's -nt, no process started).
midang_newer_than() {
  local file="$1" other
  shift
  [ -f "$file" ] || return 1
  for other in "$@"; do
    [ -e "$other" ] && [ "$other" -nt "$file" ] && return 1
  done
  return 0
}

# midang_run_cached JAR RECORD [JAVA ARGS...] -- [PROGRAM ARGS...]: runs JAR with the JDK's start-up
# cache (D53). The first run with RECORD=yes (a command that does a user's work, not --help) records
# which classes the program loads; a background job then assembles
# them into JAR's cache (JDK 24+: the AOT cache, loaded and linked classes; JDK 22–23: a dynamic
# class-data sharing archive, written at that first run's exit). Later runs map the cache instead of
# loading, verifying and linking those classes again. A rebuilt jar or another JDK gets its own
# cache; MIDANG_AOT=off runs without one. Exits with the program's exit code.
midang_run_cached() {
  local jar="$1" record="$2" java_args=() prog_args=() key cache conf="" rc=0
  shift 2
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do java_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  prog_args=("$@")
  # Quiet: the cache's own notices (a class it cannot hold, a cache made by another build) are not
  # the user's business, and they would go to standard output. JDK 24+ has the AOT cache; 22–23 a
  # dynamic class-data sharing archive that the JVM writes at the exit of the run that lacks one.
  local aot=no quiet=(-Xlog:cds*=off) opts=()
  if [ "${MIDANG_JAVA_MAJOR:-0}" -ge 24 ]; then aot=yes; quiet=(-Xlog:aot*=off -Xlog:cds*=off); fi
  opts=("${quiet[@]}")
  if [ "${MIDANG_AOT:-on}" != off ]; then
    # One cache per JDK: its exact version and where it is, in the file's name (builtins only).
    midang_jdk_key "$JAVA_HOME"
    key=$_midang_jdk_key
    cache="${jar%.jar}.$key.aot"
    # Older than the jar or one of the jars it names in lib/ (a rebuilt module): made anew.
    if [ -f "$cache" ] && midang_newer_than "$cache" "$jar" "${jar%/*}/lib" "${jar%/*}"/lib/*.jar; then
      if [ $aot = yes ]; then opts+=("-XX:AOTCache=$cache"); else opts+=("-XX:SharedArchiveFile=$cache"); fi
    elif [ "$record" = yes ]; then
      rm -f "$cache"
      if [ $aot = yes ]; then
        conf="${jar%.jar}.$key.$$.aotconf"
        # The JVM says "AOTConfiguration recorded" on standard output whatever the logging; not in
        # the output of a user's command (ID=$(midang submit …)).
        opts+=(-XX:AOTMode=record "-XX:AOTConfiguration=$conf" -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput)
      else
        opts+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$cache")
      fi
    fi
  fi
  if [ -z "$conf" ]; then
    exec "$JAVA_HOME/bin/java" "${opts[@]}" "${java_args[@]}" -jar "$jar" "${prog_args[@]}"
  fi
  # A recording run: the launcher stays to assemble the cache afterwards, and passes on the signals
  # meant for the program (a test or a service manager stops the launcher's process).
  local pid
  "$JAVA_HOME/bin/java" "${opts[@]}" "${java_args[@]}" -jar "$jar" "${prog_args[@]}" 0<&0 &
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null' TERM HUP
  trap 'kill -INT "$pid" 2>/dev/null' INT
  while :; do
    wait "$pid" && rc=0 || rc=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - TERM HUP INT
  # Assembled in the background, one job at a time, so this command returns at once. The lock is
  # taken here and handed to the job: once this launcher returns, "flock LOCK true" waits for it.
  if [ -s "$conf" ] && exec 9>"${jar%.jar}.aot.lock" && flock -n 9; then
    (
      if "$JAVA_HOME/bin/java" "${quiet[@]}" "${java_args[@]}" -XX:AOTMode=create \
          "-XX:AOTConfiguration=$conf" "-XX:AOTCache=$cache.part" -jar "$jar" >/dev/null 2>&1; then
        mv -f "$cache.part" "$cache"
      fi
      rm -f "$conf" "$cache.part"
    ) </dev/null >/dev/null 2>&1 &
    exec 9>&-
  else
    rm -f "$conf"
  fi
  return "$rc"
}
