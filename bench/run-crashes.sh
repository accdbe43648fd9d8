#!/usr/bin/env bash
# The crash campaign (issue 19): CrashCampaignIT with 100 SIGKILLs (CRASHES=N to change) of a server
# in its own JVM at random moments while one load generator uploads (two units), downloads,
# searches, lists, asks for status and defines and opens campaigns. Afterwards every receipted
# submission must come back byte-identical, nothing half-written remain, every answered step hold,
# and the audit log verify. Prints the kills, submissions, campaigns and the time from each start
# to a healthy /healthz (median, maximum); the line goes to bench/results/crashes.txt. About 15 to
# 25 minutes on 2 cores. A quiet machine for the start-up figures.
#
#   bench/run-crashes.sh
#   CRASHES=20 SEED=7 bench/run-crashes.sh
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
midang_find_jdk build
midang_maven_opts
cd "$MIDANG_ROOT"
mkdir -p bench/results
mvn -B -q -ntp -DskipTests install
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cores: $(nproc)"
log=$(mktemp -t midang-crashes.XXXXXX)
status=0
mvn -B -ntp -pl server failsafe:integration-test@default failsafe:verify@default -Dit.test=CrashCampaignIT \
    -Dmidang.test.crashes="${CRASHES:-100}" -Dmidang.test.crash-seed="${SEED:-19}" > "$log" 2>&1 || status=$?
line=$(grep -h "crash campaign:" "$log" server/target/failsafe-reports/*CrashCampaignIT*.txt 2>/dev/null | head -n 1 || true)
if [ "$status" != 0 ] || [ -z "$line" ]; then
  echo "the crash campaign FAILED; see $log and server/target/failsafe-reports/" >&2
  exit 1
fi
echo "$line"
echo "$(date -u +%Y-%m-%dT%H:%MZ) ${line}" >> bench/results/crashes.txt
rm -f "$log"
