#!/usr/bin/env bash
# Runs every test of pinads. Installs what a fresh Debian/Ubuntu machine lacks first:
# the C libraries the build links (libcurl, SQLite, OpenSSL), python3 for the example
# client's test, and a virtualenv with openapi-core for the Pinterest contract check.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The C libraries, python3 and python3-venv (deps.sh lists them).
contrib/scripts/deps.sh --python --label test.sh

# Virtualenv for the contract check (contrib/contract): the Swift test runs
# .build/contract-venv/bin/python. Made again only when missing or when
# requirements.txt is newer than the stamp written after the last install.
venv=.build/contract-venv
requirements=contrib/contract/requirements.txt
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/requirements.stamp" ] \
        || [ "$requirements" -nt "$venv/requirements.stamp" ]; then
    echo "test.sh: preparing $venv" >&2
    rm -rf "$venv"
    # python3 in PATH may be a pyenv build (has venv) or Debian's (needs python3-venv,
    # installed above); if the first has no working venv/ensurepip, use Debian's.
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        /usr/bin/python3 -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$requirements"
    touch "$venv/requirements.stamp"
fi

swift build --build-tests
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
else
    # The reliability suites (kill -9 loops, a Pinterest fault storm, socket stress, the
    # fuzzer, the long-connection soak, whose blocking clients hold a cooperative thread for
    # a minute) keep both cores busy for a minute or two: they run after the others, so the
    # others' deadlines are not measured against them.
    heavy='CrashLoopEndToEndTests|FaultStormEndToEndTests|ReliabilityEndToEndTests|FuzzTests|LongRunningEndToEndTests|MemoryBoundEndToEndTests'
    swift test --skip-build --skip "$heavy"
    swift test --skip-build --no-parallel --filter "$heavy"
fi
