#!/usr/bin/env bash
# Builds the wire decoders (Sources/PinAdsProtocol) with libFuzzer and AddressSanitizer and
# fuzzes them: the frame decoder against a model, and the request envelope and params
# decoding against the documented errors (see FuzzTarget.swift).
#
#   contrib/fuzz/run.sh                 # 1,000,000 inputs
#   RUNS=0 contrib/fuzz/run.sh          # until stopped (Ctrl-C) or a crash
#   contrib/fuzz/run.sh -max_total_time=600   # extra libFuzzer flags are passed on
#
# Needs a Swift toolchain whose swiftc supports -sanitize=fuzzer (Swift on Linux does).
# A crash leaves crash-<sha1> in .build/fuzz/artifacts/; rerun one input with
#   .build/fuzz/pinads-fuzz .build/fuzz/artifacts/crash-<sha1>
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.build/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
runs=${RUNS:-1000000}

echo "run.sh: building $out/pinads-fuzz" >&2
build_start=$(date +%s)
# shellcheck disable=SC2046
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name PinAdsFuzz -o "$out/pinads-fuzz" \
    $(find Sources/PinAdsProtocol -name '*.swift' | sort) contrib/fuzz/FuzzTarget.swift \
    2> >(grep -v "Cannot export local symbol '__asan" >&2)  # gold's noise about ASan's symbols
echo "run.sh: built in $(( $(date +%s) - build_start )) s" >&2

# Seed corpus: every golden request, and the same framed (4-byte length) after two selector bytes.
for f in protocol/examples/*.request.json; do
    name=$(basename "$f" .json)
    cp "$f" "$out/corpus/$name"
    python3 - "$f" "$out/corpus/$name.framed" <<'PY'
import struct, sys
payload = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(bytes([3, 7]) + struct.pack(">I", len(payload)) + payload)
PY
done

start=$(date +%s)
status=0
"$out/pinads-fuzz" -runs="$runs" -max_len=8192 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    -dict=contrib/fuzz/json.dict -artifact_prefix="$out/artifacts/" "$@" "$out/corpus" || status=$?
echo "run.sh: $runs inputs in $(( $(date +%s) - start )) s, exit status $status" >&2
exit "$status"
