#!/usr/bin/env bash
# midang submit and get against gpg on the same file, in one run (issue 17): a dev server on
# loopback, a file of SIZE MiB of random bytes (default 1024), then
#   midang submit (seal + upload + server check + verified receipt)  vs  gpg --batch -z 0 -se
#   midang get (download + open + verify + atomic write)              vs  gpg --batch -d
#     (twice: right after the submit, and once the server is done with the upload)
# after a warm-up round trip of up to 256 MiB (a server in service has compiled its paths long before),
# each on the native backend and on Bouncy Castle (-Dmidang.crypto=bc), wall time and CPU time
# (the client's; the server's CPU during each submit is printed under the table). gpg does one end's
# work where a submit does two (the server decrypts and hashes the content again to check the
# author's signature before it signs a receipt), so the table also compares the submit with gpg -se
# followed by gpg -d: both ends' work, one after the other.
# Prints a table with the ratios, kept in bench/results/vs-gpg.txt (vs-gpg-SIZEMiB.txt for another size).
#
#   bench/run-vs-gpg.sh              # 1 GiB: a few minutes on 2 cores
#   SIZE=100 bench/run-vs-gpg.sh     # 100 MiB
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build server
mvn -B -q -pl console -am -DskipTests package
size=${SIZE:-1024}
result=bench/results/vs-gpg.txt; [ "$size" = 1024 ] || result=bench/results/vs-gpg-${size}MiB.txt
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
bench_dev_server "$work"
head -c $((size * 1024 * 1024)) /dev/urandom > "$work/report.bin"
export MIDANG_SERVER="http://127.0.0.1:$port" MIDANG_PASSPHRASE="$pass" MIDANG_IDENTITY="$work/data/identities/unit-a.p12"
export HOME="$work/home"; mkdir -p "$HOME"
# The launcher's start-up cache (D53) is recorded by the first command after a build and assembled in
# the background: made here, and waited for, before anything is timed — otherwise the first submit is
# the recording run (3-4 s slower) and the assembly takes CPU from the commands after it.
bin/midang whoami > /dev/null
flock console/target/midang-console.aot.lock true

# wall and CPU (user + sys) seconds of a command: "wall cpu"
# CPU seconds (user + sys) the server has used so far
server_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }
timed() { /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > "$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
          awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/t"; }

# The id of the submission whose receipt (--json) is in $work/out.
submitted_id() { sed -n 's/.*"id" *: *"\([0-9a-f]*\)".*/\1/p' "$work/out" | head -n 1; }

# Until the server is done with submission $1 (indexed, or found to have no text): its state leaves "pending".
wait_indexed() {
  while bin/midang list --json | tr -d ' \n' | grep -o "{[^{}]*\"id\":\"$1\"[^{}]*}" | grep -q '"index_state":"pending"'; do
    sleep 1
  done
}

# A server in service has compiled its upload and download paths long before: one warm-up round trip
# of the file's first 256 MiB (all of it, if smaller), waited for until the server is done with it, so the timed submit does not pay the
# server's JIT (perf, 2026-12-03: its compiler threads took 14 % of the server's CPU in a first submit).
head -c $((256 * 1024 * 1024)) "$work/report.bin" > "$work/warm.bin"
bin/midang submit --json --no-progress --campaign demo --kind report --receipt-dir "$work" "$work/warm.bin" > "$work/out"
warm=$(submitted_id)
bin/midang get -o "$work/warm.out" "$warm" > /dev/null
wait_indexed "$warm"
rm -f "$work/warm.bin" "$work/warm.out"

# gpg right before the timed submits: on a shared machine the CPU it gets varies over minutes.
export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key bench@midang.test default default never 2>/dev/null
gpg_seal=$(timed gpg --batch --yes -z 0 -se -r bench@midang.test -o "$work/report.gpg" "$work/report.bin")
gpg_open=$(timed gpg --batch --yes -o "$work/report.gpg.out" -d "$work/report.gpg")
cmp -s "$work/report.bin" "$work/report.gpg.out" || { echo "gpg round trip differs" >&2; exit 1; }
rm -f "$work/report.gpg" "$work/report.gpg.out"

declare -A submit get server
for backend in native bc; do
  export MIDANG_JAVA_OPTS="-Dmidang.crypto=$backend"
  bin/midang --version | grep crypto
  before=$(server_cpu)
  submit[$backend]=$(timed bin/midang submit --json --no-progress --campaign demo --kind report --receipt-dir "$work" "$work/report.bin")
  server[$backend]=$(awk -v a="$before" -v b="$(server_cpu)" 'BEGIN { printf "%.2f", b - a }')
  id=$(submitted_id)
  # Right after the upload, while the server still reads it for the index (as before 2026-12-02) ...
  get[$backend]=$(timed bin/midang get -o "$work/back.bin" "$id")
  cmp -s "$work/report.bin" "$work/back.bin" || { echo "midang round trip differs ($backend)" >&2; exit 1; }
  rm -f "$work/back.bin"
  # ... and once it is done with it, as when a leader retrieves a report handed in earlier (gpg -d too
  # has the machine to itself).
  wait_indexed "$id"
  get[$backend-idle]=$(timed bin/midang get -o "$work/back.bin" "$id")
  cmp -s "$work/report.bin" "$work/back.bin" || { echo "midang round trip differs ($backend)" >&2; exit 1; }
  rm -f "$work/back.bin"
done
kill $server_pid; wait $server_pid 2>/dev/null || true

row() { # name, midang "wall cpu", gpg "wall cpu"
  read -r mw mc <<< "$2"; read -r gw gc <<< "$3"
  awk -v n="$1" -v mw="$mw" -v mc="$mc" -v gw="$gw" -v gc="$gc" \
    'BEGIN { printf "| %s | %.2f s (CPU %.2f s) | %.2f s (CPU %.2f s) | %.1f× |\n", n, mw, mc, gw, gc, mw / gw }'
}
{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(gpg --version | head -n 1), $(gpg --version | sed -n 2p); file: $size MiB"
  echo
  echo "| operation | Midang | gpg | wall ÷ gpg |"
  echo "|---|---|---|---|"
  row "midang submit, native vs gpg -z 0 -se" "${submit[native]}" "$gpg_seal"
  row "midang submit, native vs gpg -z 0 -se then gpg -d (both ends' work)" "${submit[native]}" \
    "$(awk -v s="$gpg_seal" -v o="$gpg_open" 'BEGIN { split(s, a, " "); split(o, b, " "); printf "%.2f %.2f", a[1] + b[1], a[2] + b[2] }')"
  row "midang submit, Bouncy Castle vs gpg -z 0 -se" "${submit[bc]}" "$gpg_seal"
  row "midang get, native vs gpg -d (right after the submit)" "${get[native]}" "$gpg_open"
  row "midang get, native vs gpg -d (the server done with the upload)" "${get[native-idle]}" "$gpg_open"
  row "midang get, Bouncy Castle vs gpg -d (right after the submit)" "${get[bc]}" "$gpg_open"
  row "midang get, Bouncy Castle vs gpg -d (the server done with the upload)" "${get[bc-idle]}" "$gpg_open"
  echo
  echo "Server CPU during the submit: native ${server[native]} s, Bouncy Castle ${server[bc]} s (the client's is in the table)."
} | tee "$result"
