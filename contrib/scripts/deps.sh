#!/usr/bin/env bash
# Installs with apt-get what a fresh Debian/Ubuntu machine lacks to build pinads: the C
# libraries it links (libcurl, SQLite, OpenSSL) and pkg-config; with --python also python3 and
# python3-venv (the tests' example client and contract check). Only missing packages are
# installed (sudo when not root); nothing happens when all are there.
#
# Usage: contrib/scripts/deps.sh [--python] [--label NAME]
#   --label NAME   the name the "installing …" line on stderr starts with (default deps.sh)
# Used by test.sh and demo.sh.
set -euo pipefail

label=deps.sh
packages=(libcurl4-openssl-dev libsqlite3-dev libssl-dev)
python=0
while [ $# -gt 0 ]; do
    case "$1" in
        --python) python=1 ;;
        --label) label="$2"; shift ;;
        *) echo "deps.sh: unknown argument $1 (usage: deps.sh [--python] [--label NAME])" >&2; exit 64 ;;
    esac
    shift
done
[ "$python" -eq 0 ] || packages+=(python3 python3-venv)
packages+=(pkg-config)

need=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "$label: installing ${need[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
