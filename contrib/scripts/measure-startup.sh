#!/usr/bin/env bash
# Measures the daemon's start-up time, idle memory and idle CPU, and the client's round trip.
# Usage: contrib/scripts/measure-startup.sh [BIN_DIR]   (default: .build/release, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release}
if [ ! -x "$bin/pinadsd" ] || [ ! -x "$bin/pinads" ]; then
    swift build -c release --product pinadsd >&2
    swift build -c release --product pinads >&2
fi
dir=$(mktemp -d /tmp/pinads-measure-XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
sock=$dir/d.sock
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Start-up: from exec to the first answered health check (the client polls every ms).
t0=$(ms)
"$bin/pinadsd" --socket "$sock" --state-dir "$dir/state" --log-level warning 2>"$dir/log" &
pid=$!
until "$bin/pinads" health --socket "$sock" >/dev/null 2>&1; do sleep 0.001; done
startup=$(( $(ms) - t0 ))

# Client round trip: average over 50 runs of `pinads health` (process start to exit).
t0=$(ms)
for _ in $(seq 50); do "$bin/pinads" health --socket "$sock" >/dev/null; done
client=$(( ($(ms) - t0) / 50 ))

# Idle: RSS and CPU ticks over 10 s with nothing to do.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
sleep 10
after=$(ticks)
hz=$(getconf CLK_TCK)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
cpu=$(awk -v d=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", 100 * d / hz / 10 }')

echo "| start-up to serving | ${startup} ms |"
echo "| idle RSS | $((rss_kb / 1024)) MiB (${rss_kb} KiB) |"
echo "| idle CPU over 10 s | ${cpu} % |"
echo "| pinads health round trip | ${client} ms |"
