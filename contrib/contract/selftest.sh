#!/usr/bin/env bash
# Self-test of the contract validator: fixtures/good.jsonl must pass (exit 0) and every
# line of fixtures/bad.jsonl must be reported (exit 1), each with the text its "_expect"
# names; usage errors must exit 2.
#   contrib/contract/selftest.sh            (after contrib/scripts/test.sh made the venv)
#   PYTHON=/path/to/python SPEC=/path/to/openapi.yaml contrib/contract/selftest.sh
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-$root/.build/contract-venv/bin/python}"
spec="${SPEC:-$root/../shared/pinterest-api/openapi.yaml}"
validator="$here/validate_traffic.py"

[ -x "$python" ] || { echo "selftest: no python at $python (run contrib/scripts/test.sh or set PYTHON)" >&2; exit 2; }
[ -f "$spec" ] || { echo "selftest: no spec at $spec (set SPEC)" >&2; exit 2; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failures=0
fail() { echo "selftest: FAIL: $*" >&2; failures=$((failures + 1)); }

# 1. good traffic passes
"$python" "$validator" --spec "$spec" --traffic "$here/fixtures/good.jsonl" >"$out/good.txt" 2>&1
rc=$?
good_lines=$(grep -c . "$here/fixtures/good.jsonl")
[ "$rc" -eq 0 ] || { fail "good.jsonl: exit $rc, expected 0"; cat "$out/good.txt" >&2; }
tail -n 1 "$out/good.txt" | grep -qx "contract: $good_lines passed, 0 failed" \
    || fail "good.jsonl: last line is '$(tail -n 1 "$out/good.txt")'"

# 2. bad traffic fails, and every bad line is reported with what it got wrong
"$python" "$validator" --spec "$spec" --traffic "$here/fixtures/bad.jsonl" >"$out/bad.txt" 2>&1
rc=$?
bad_lines=$(grep -c . "$here/fixtures/bad.jsonl")
[ "$rc" -eq 1 ] || { fail "bad.jsonl: exit $rc, expected 1"; cat "$out/bad.txt" >&2; }
tail -n 1 "$out/bad.txt" | grep -qx "contract: 0 passed, $bad_lines failed" \
    || fail "bad.jsonl: last line is '$(tail -n 1 "$out/bad.txt")'"
"$python" - "$here/fixtures/bad.jsonl" "$out/bad.txt" <<'EOF' || failures=$((failures + 1))
import json, re, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
report = open(sys.argv[2]).read()
# split the report into one block per violation, keyed by line number
blocks = {}
for m in re.finditer(r"^VIOLATION line (\d+):.*?(?=^VIOLATION line |^per operation:)", report, re.S | re.M):
    blocks.setdefault(int(m.group(1)), []).append(m.group(0))
missing = 0
for number, record in enumerate(records, start=1):
    text = "".join(blocks.get(number, []))
    if not text:
        print(f"selftest: FAIL: bad.jsonl line {number} not reported", file=sys.stderr); missing += 1
    elif not re.search(record["_expect"], text):
        print(f"selftest: FAIL: bad.jsonl line {number} reported without /{record['_expect']}/:\n{text}",
              file=sys.stderr); missing += 1
sys.exit(1 if missing else 0)
EOF

# 3. usage and setup errors exit 2
"$python" "$validator" --traffic "$here/fixtures/good.jsonl" >/dev/null 2>&1
rc=$?; [ "$rc" -eq 2 ] || fail "missing --spec: exit $rc, expected 2"
"$python" "$validator" --spec "$out/none.yaml" --traffic "$here/fixtures/good.jsonl" >/dev/null 2>&1
rc=$?; [ "$rc" -eq 2 ] || fail "missing spec file: exit $rc, expected 2"
printf '{"method":' >"$out/broken.jsonl"
"$python" "$validator" --spec "$spec" --traffic "$out/broken.jsonl" >/dev/null 2>&1
rc=$?; [ "$rc" -eq 2 ] || fail "malformed traffic: exit $rc, expected 2"

if [ "$failures" -gt 0 ]; then
    echo "selftest: $failures check(s) failed" >&2
    exit 1
fi
echo "selftest: ok (good: $good_lines lines pass; bad: all $bad_lines lines reported; usage errors exit 2)"
