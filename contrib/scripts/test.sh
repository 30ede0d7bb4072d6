#!/usr/bin/env bash
# Runs every test of pinads. Installs what a fresh Debian/Ubuntu machine lacks first:
# the C libraries the build links (libcurl, SQLite, OpenSSL) and python3 for the example
# client's test. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
for pkg in libcurl4-openssl-dev libsqlite3-dev libssl-dev python3 pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "test.sh: installing ${need[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

swift build --build-tests
swift test --skip-build "$@"
