#!/usr/bin/env bash
# Mutation testing of the security core with PIT (issue 22): the crypto library's seal, sign, pki,
# digest, audit and internal packages, and the server's access, audit and identity packages, each
# against its module's fast unit tests only (no *IT). Prints the score per package; the reports go
# to MODULE/target/pit-reports/ (index.html, mutations.xml, mutations.csv). The table and the
# surviving mutants are explained in docs/TESTING.md.
#
#   bench/run-mutation.sh           # keys, then server (~40 minutes on 2 cores)
#   bench/run-mutation.sh keys      # one module
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
modules=("${@:-keys server}")
read -r -a modules <<< "${modules[*]}"

mvn -B -q -ntp -DskipTests install

for m in "${modules[@]}"; do
  case "$m" in
    keys)
      targets='cn.midang.keys.seal.*,cn.midang.keys.sign.*,cn.midang.keys.pki.*,cn.midang.keys.digest.*,cn.midang.keys.audit.*,cn.midang.keys.internal.*'
      tests='cn.midang.keys.*' ;;
    server)
      targets='cn.midang.server.access.*,cn.midang.server.audit.*,cn.midang.server.identity.*'
      tests='cn.midang.server.*' ;;
    *) echo "bench/run-mutation.sh: modules are keys and server, not $m" >&2; exit 2 ;;
  esac
  echo "== $m: $targets" >&2
  mvn -B -ntp -Pmutation -pl "$m" org.pitest:pitest-maven:mutationCoverage \
    -DtargetClasses="$targets" -DtargetTests="$tests" > "$m/target/pit.log" 2>&1 \
    || { tail -n 40 "$m/target/pit.log" >&2; exit 1; }
  # Score per package, from the CSV: file, class, mutator, method, line, status, test.
  awk -F, '{ n = split($2, parts, "."); pkg = parts[1]; for (i = 2; i < n; i++) pkg = pkg "." parts[i];
             total[pkg]++; if ($6 == "KILLED" || $6 == "TIMED_OUT" || $6 == "MEMORY_ERROR") killed[pkg]++;
             if ($6 == "SURVIVED" || $6 == "NO_COVERAGE") left[pkg]++ }
       END { printf "%-34s %8s %8s %8s %7s\n", "package", "mutants", "killed", "left", "score";
             for (p in total) printf "%-34s %8d %8d %8d %6.1f%%\n", p, total[p], killed[p], left[p], 100 * killed[p] / total[p] }' \
    "$m/target/pit-reports/mutations.csv" | sort
done
