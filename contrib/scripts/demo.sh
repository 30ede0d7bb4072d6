#!/usr/bin/env bash
# The one-command demo: builds pinads, starts `pinadsd --sandbox` (a daemon talking to a local
# Pinterest sandbox inside it, already connected; nothing reaches Pinterest) in the background,
# and walks through a whole job with the real `pinads` client, printing each command first:
# the connection and its ad accounts, an audience of 500 emails synced to an ad account, a
# PAUSED campaign → ad group → ad targeting it, 10,000 conversions, a metrics pull, the
# daemon's status and the campaign's metrics. The daemon is left running for you to explore.
#
# Run again at any time: it stops the demo daemon it started before and starts afresh (the
# sandbox keeps its "Pinterest" in memory, so the old demo state is thrown away with it).
#
# Everything lives in one folder (default ${XDG_STATE_HOME:-~/.local/state}/pinads-demo):
#   pinadsd.sock  the daemon's socket      state/        its state (SQLite, key)
#   pinadsd.log   its log                  pinadsd.pid   its pid
#   input/        the generated files the demo feeds in (emails, events, campaign plan)
#
# Environment:
#   PINADS_DEMO_DIR          that folder
#   PINADS_DEMO_SKIP_BUILD=1 do not build; use the binaries in PINADS_BIN_DIR
#   PINADS_BIN_DIR           where pinadsd and pinads are (default: swift build's debug folder)
#   PINADS_DEMO_STOP=1       only stop the demo daemon, then exit
# Needs the Swift 6 toolchain; installs the C libraries the build links with apt-get when
# missing (contrib/scripts/deps.sh).
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
repository=$(pwd)

demo_dir=${PINADS_DEMO_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/pinads-demo}
socket=$demo_dir/pinadsd.sock
state=$demo_dir/state
log=$demo_dir/pinadsd.log
pid_file=$demo_dir/pinadsd.pid
input=$demo_dir/input
daemon_pid=

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Prints a command as you would type it (arguments with spaces or quotes in single quotes).
show() {
    local line=\$ arg
    for arg in "$@"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then line+=" $arg"; else line+=" '${arg//\'/\'\\\'\'}'"; fi
    done
    printf '%s\n' "$line"
}
# Echoes a command, then runs it; its output goes to the terminal.
run() { show "$@"; "$@"; }
# Echoes a command, runs it, prints its output and keeps it in $out.
capture() { show "$@"; out=$("$@"); printf '%s\n' "$out"; }

failed() {
    local status=$? line=$1
    trap - ERR
    echo >&2
    echo "demo.sh: FAILED (exit $status) at line $line: $BASH_COMMAND" >&2
    if [ -n "$daemon_pid" ] && [ -f "$log" ]; then
        echo "demo.sh: the daemon's last log lines ($log):" >&2
        tail -n 20 "$log" >&2 || true
        echo "demo.sh: the daemon (pid $daemon_pid) is left running to look at; stop it with: kill $daemon_pid" >&2
    fi
    exit "$status"
}
trap 'failed $LINENO' ERR

# Whether a process runs (a zombie nobody reaped yet does not count).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# Stops the demo daemon of an earlier run, if it still runs (only a pinadsd with our socket).
stop_previous() {
    [ -f "$pid_file" ] || return 0
    local old
    old=$(cat "$pid_file" 2>/dev/null || true)
    rm -f "$pid_file"
    [[ "$old" =~ ^[0-9]+$ ]] || return 0
    if alive "$old" && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q -- "pinadsd.*--sandbox.*$socket"; then
        echo "demo.sh: stopping the demo daemon of an earlier run (pid $old)"
        kill -TERM "$old"
        for _ in $(seq 1 150); do
            alive "$old" || return 0
            sleep 0.1
        done
        echo "demo.sh: pid $old did not stop within 15 s; killing it" >&2
        kill -KILL "$old" 2>/dev/null || true
        sleep 0.2
    fi
}

mkdir -p "$demo_dir"
chmod 700 "$demo_dir"
stop_previous
if [ "${PINADS_DEMO_STOP:-0}" = 1 ]; then
    echo "demo.sh: no demo daemon runs now"
    exit 0
fi

# --- Build ---------------------------------------------------------------------------------
if [ "${PINADS_DEMO_SKIP_BUILD:-0}" = 1 ]; then
    bin_dir=${PINADS_BIN_DIR:?PINADS_DEMO_SKIP_BUILD=1 needs PINADS_BIN_DIR (the folder of pinadsd and pinads)}
else
    say "Building pinadsd and pinads (debug; the first build takes a few minutes)"
    contrib/scripts/deps.sh --label demo.sh
    run swift build --product pinadsd
    run swift build --product pinads
    bin_dir=${PINADS_BIN_DIR:-$(swift build --show-bin-path)}
fi
for binary in pinadsd pinads; do
    [ -x "$bin_dir/$binary" ] || { echo "demo.sh: no $binary in $bin_dir" >&2; exit 1; }
done
bin_dir=$(cd "$bin_dir" && pwd)
export PATH="$bin_dir:$PATH"
export PINADS_SOCKET=$socket
unset PINADS_STATE_DIR PINADS_API_BASE_URL

# --- Start the daemon ----------------------------------------------------------------------
say "Starting the daemon against a local Pinterest sandbox"
rm -rf "$state" "$input"
mkdir -p "$input"
: >"$log"
printf '$ pinadsd --sandbox --socket %s --state-dir %s >%s 2>&1 &\n' "$socket" "$state" "$log"
# In its own session (closing this terminal or Ctrl-C here leaves it running), holding none of
# this script's other open files (a caller waiting for their end would wait for the daemon).
detach=()
command -v setsid >/dev/null && detach=(setsid)
(
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
    done
    exec "${detach[@]}" nohup pinadsd --sandbox --socket "$socket" --state-dir "$state"
) </dev/null >"$log" 2>&1 &
daemon_pid=$!
echo "$daemon_pid" >"$pid_file"
for attempt in $(seq 1 300); do
    if pinads call system.health >/dev/null 2>&1; then break; fi  # answers (health itself exits 1 unless ok)
    if ! alive "$daemon_pid"; then
        echo "demo.sh: pinadsd exited at start; its log ($log):" >&2
        cat "$log" >&2
        daemon_pid=
        exit 1
    fi
    [ "$attempt" -lt 300 ] || { echo "demo.sh: pinadsd did not answer within 30 s" >&2; false; }
    sleep 0.1
done
# The daemon writes its pid into its lock file: the one to stop later.
daemon_pid=$(tr -dc '0-9' <"$state/pinadsd.lock")
echo "$daemon_pid" >"$pid_file"
grep '^pinadsd: sandbox mode' "$log" || true
run pinads health

# --- Connection ----------------------------------------------------------------------------
say "The connection --sandbox made (no token typed) and its ad accounts"
run pinads connections
run pinads accounts
ad_account=$(pinads accounts --json | sed -n 's/.*"default_ad_account_id" *: *"\([0-9]*\)".*/\1/p' | head -n 1)
[ -n "$ad_account" ] || ad_account=$(pinads accounts | sed -n 's/^\* *\([0-9][0-9]*\).*/\1/p' | head -n 1)

# --- Audience ------------------------------------------------------------------------------
say "An audience of 500 emails, synced to the default ad account"
for i in $(seq 1 500); do printf 'Shopper%03d@Example.COM\n' "$i"; done >"$input/emails.txt"
echo "(generated $input/emails.txt: 500 emails; the daemon trims, lowercases and SHA-256 hashes them on arrival)"
capture pinads audience create demo-buyers --description "500 generated emails"
audience=$(printf '%s\n' "$out" | sed -n 's/^audience \([0-9][0-9]*\) .*/\1/p' | head -n 1)
[ -n "$audience" ] || { echo "demo.sh: no audience id in the answer" >&2; false; }
run pinads audience add "$audience" --file "$input/emails.txt"
run pinads audience activate "$audience" --wait
run pinads audience show "$audience"

# --- Campaign ------------------------------------------------------------------------------
say "A PAUSED campaign → ad group → ad targeting that audience"
cat >"$input/plan.json" <<PLAN
{
  "campaign": {"name": "Demo spring sale", "objective_type": "CONSIDERATION", "daily_spend_cap": 50000000},
  "ad_group": {"name": "Demo buyers", "billable_event": "CLICKTHROUGH",
               "budget_in_micro_currency": 5000000, "bid_in_micro_currency": 2000000,
               "targeting": {"locations": ["US"], "audiences_include": [$audience]}},
  "ad": {"pin_id": "813744226420801337", "creative_type": "REGULAR",
         "destination_url": "https://shop.example.com/spring"},
  "client_request_id": "demo-spring-sale"
}
PLAN
run cat "$input/plan.json"
run pinads campaign launch --file "$input/plan.json" --wait
run pinads campaign list

# --- Conversions ---------------------------------------------------------------------------
say "10,000 conversions (checkouts), sent to the ad account through the Conversions API"
now=$(date +%s)
awk -v now="$now" 'BEGIN {
    for (i = 1; i <= 10000; i++)
        printf "{\"event_name\":\"checkout\",\"event_id\":\"demo-order-%05d\",\"event_time\":%d,\"email\":\"shopper%03d@example.com\",\"value\":%d.99,\"currency\":\"USD\"}\n", i, now - (i % 3600), i % 500 + 1, 5 + i % 50
}' >"$input/events.jsonl"
echo "(generated $input/events.jsonl: 10,000 events, one JSON object per line)"
run head -n 2 "$input/events.jsonl"
run pinads conversions send --file "$input/events.jsonl"
echo "(waiting until the daemon has delivered them all)"
for attempt in $(seq 1 600); do
    stats=$(pinads conversions stats --json | tr -d ' \n')
    queued=$(printf '%s' "$stats" | sed -n 's/.*"queued":\([0-9]*\).*/\1/p')
    in_flight=$(printf '%s' "$stats" | sed -n 's/.*"in_flight":\([0-9]*\).*/\1/p')
    [ "${queued:-1}" = 0 ] && [ "${in_flight:-1}" = 0 ] && break
    [ "$attempt" -lt 600 ] || { echo "demo.sh: conversions still queued after 60 s" >&2; false; }
    sleep 0.1
done
run pinads conversions stats

# --- Metrics -------------------------------------------------------------------------------
say "Pull campaign metrics now (the schedule does it every 6 hours)"
run pinads schedule
capture pinads schedule run campaign_metrics
job=$(printf '%s\n' "$out" | sed -n 's/^queued job \([0-9][0-9]*\).*/\1/p')
[ -n "$job" ] || { echo "demo.sh: no job id in the answer" >&2; false; }
run pinads jobs watch "$job"
run pinads campaign metrics

# --- Status --------------------------------------------------------------------------------
say "The daemon's status"
run pinads status

trap - ERR
cat <<DONE

== Done. The demo daemon keeps running (pid $daemon_pid), talking to its local Pinterest sandbox.

Use it (any pinads command; pinads --help lists them):
  export PATH="$bin_dir:\$PATH"
  export PINADS_SOCKET=$socket
  pinads status
  pinads audience show $audience
  pinads campaign metrics

Its log: $log
Stop it:  kill $daemon_pid      (or: PINADS_DEMO_STOP=1 $repository/contrib/scripts/demo.sh)
Run the demo again from scratch: $repository/contrib/scripts/demo.sh
DONE
