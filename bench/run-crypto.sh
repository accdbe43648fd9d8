#!/usr/bin/env bash
# Crypto benchmarks: JMH over the keys library, and `openssl speed` on the same machine in the
# same run. Prints a table for docs/PERFORMANCE.md; raw results go to bench/results/.
#
#   bench/run-crypto.sh            # ~8 minutes on 2 cores (each benchmark on both backends)
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib/common.sh"
source "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_build
# Each bulk benchmark twice, in one run: the native backend (libgcrypt through FFM) and Bouncy Castle.
for backend in native bc; do
  "$JAVA_HOME/bin/java" -jar bench/target/midang-bench.jar CryptoBench \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Dmidang.crypto=$backend" \
    -f 1 -wi 3 -w 3s -i 5 -r 3s -rf csv -rff bench/results/crypto-jmh-$backend.csv > bench/results/crypto-jmh-$backend.txt
done
openssl version > bench/results/openssl-speed.txt
for alg in sm3 sm4-ctr; do
  openssl speed -seconds 3 -mr -evp "$alg" 2>/dev/null >> bench/results/openssl-speed.txt
done
openssl speed -seconds 3 -mr sm2 2>/dev/null >> bench/results/openssl-speed.txt
gcrypt=$(ldconfig -p | grep -o 'libgcrypt\.so\.20.*=> .*' | head -1 | sed 's/.*=> //')

echo
echo "| operation | Midang, native (libgcrypt) | Midang, Bouncy Castle 1.87 | native ÷ BC | OpenSSL $(openssl version | cut -d' ' -f2) |"
echo "|---|---|---|---|---|"
val() { awk -F, -v b="$2" 'index($1,b) { gsub(/"/,"",$5); print $5 }' "bench/results/crypto-jmh-$1.csv"; }
mbps() { awk -F, -v b="$2" -v p=16777216 'index($1,b) { gsub(/"/,"",$5); gsub(/"/,"",$6); printf "%.1f MB/s (±%.1f)", $5*p/1e6, $6*p/1e6 }' "bench/results/crypto-jmh-$1.csv"; }
ops() { awk -F, -v b="$2" 'index($1,b) { gsub(/"/,"",$5); gsub(/"/,"",$6); printf "%.0f /s (±%.0f)", $5, $6 }' "bench/results/crypto-jmh-$1.csv"; }
ratio() { awk -v a="$(val native "$1")" -v b="$(val bc "$1")" 'BEGIN { if (b > 0) printf "%.1f×", a / b }'; }
# openssl -mr lines: +F:<n>:<alg>:<bytes/s for 16,64,256,1024,8192,16384-byte blocks>
ossl() { awk -F: -v a="$1" '$1=="+F" && tolower($3)==a { printf "%.1f MB/s", $NF/1e6 }' bench/results/openssl-speed.txt; }
# the sm2 line: +F7:<n>:<bits>:CurveSM2:<sign/s>:<verify/s>
ossl_sm2() { awk -F: -v col="$1" '$4=="CurveSM2" { printf "%.0f /s", $col; exit }' bench/results/openssl-speed.txt; }
row() { echo "| $1 | $($2 native "$3") | $($2 bc "$3") | $(ratio "$3") | $4 |"; }
row "SM3 digest, 16 MiB" mbps sm3_16MiB "$(ossl sm3)"
row "seal (SM4-GCM + SM3 + SM2 sign), 16 MiB" mbps seal16MiB "SM4-CTR alone: $(ossl sm4-ctr)"
row "open (decrypt + tag + verify + chain), 16 MiB" mbps open16MiB "–"
row "re-address 16 MiB package (no re-encryption)" ops rewrap16MiB "–"
row "SM2 sign, 256 B, reused signer" ops sm2SignReusedSigner "$(ossl_sm2 5)"
row "SM2 sign, 256 B, fresh each time" ops sm2SignFresh ""
row "SM2 verify, 256 B" ops sm2Verify "$(ossl_sm2 6)"
echo
echo "libgcrypt: ${gcrypt:-not found}"
