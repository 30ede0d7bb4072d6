#!/usr/bin/env bash
# Runs every test of pinads. Installs what a fresh Debian/Ubuntu machine lacks first:
# the C libraries the build links (libcurl, SQLite, OpenSSL), python3 for the example
# client's test, and a virtualenv with openapi-core for the Pinterest contract check.
# With no arguments (the full run) it also tests the Python client package (contrib/python)
# with pytest in .build/python-venv; with arguments it passes them to `swift test`.
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

# The Python client package (contrib/python), in a virtualenv of its own, tested with pytest
# against the pinadsd just built (a `pinadsd --sandbox` its tests start and stop). Full runs
# only. The venv is made again only when missing or when pyproject.toml or
# requirements-test.txt is newer than its stamp; the package itself is installed again on
# every run (with the venv's setuptools, offline), so the tests see the sources as they are.
python_client_tests() {
    local venv=.build/python-venv
    local project=contrib/python
    if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/requirements.stamp" ] \
            || [ "$project/pyproject.toml" -nt "$venv/requirements.stamp" ] \
            || [ "$project/requirements-test.txt" -nt "$venv/requirements.stamp" ]; then
        echo "test.sh: preparing $venv" >&2
        rm -rf "$venv"
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"
            /usr/bin/python3 -m venv "$venv"
        fi
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input \
            "./$project" -r "$project/requirements-test.txt"
        touch "$venv/requirements.stamp"
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input \
        --no-build-isolation --no-deps --force-reinstall "./$project"
    PINADSD=.build/debug/pinadsd "$venv/bin/python" -m pytest -q -p no:cacheprovider "$project/tests"
}

swift build --build-tests
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
else
    python_client_tests
    # The reliability suites (kill -9 loops, a Pinterest fault storm, socket stress, the
    # fuzzer, the long-connection soak, whose blocking clients hold a cooperative thread for
    # a minute) keep both cores busy for a minute or two: they run after the others, so the
    # others' deadlines are not measured against them.
    heavy='CrashLoopEndToEndTests|FaultStormEndToEndTests|ReliabilityEndToEndTests|FuzzTests|LongRunningEndToEndTests|MemoryBoundEndToEndTests'
    swift test --skip-build --skip "$heavy"
    swift test --skip-build --no-parallel --filter "$heavy"
fi
