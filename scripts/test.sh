#!/usr/bin/env bash
# The test command of the README and of CI: system packages and build (bootstrap), the static checks,
# then the whole Swift Testing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/check-core-purity.sh
scripts/check-schemas.py
# Zero warnings is a rule: fail the run when our own sources warn (dependencies' warnings are theirs).
build_log=$(mktemp)
if ! swift build --build-tests >"$build_log" 2>&1; then
    cat "$build_log" >&2
    exit 1
fi
warnings=$(grep -E "^$(pwd)/(Sources|Tests)/.*warning:" "$build_log" || true)
rm -f "$build_log"
if [ -n "$warnings" ]; then
    echo "test: the build has warnings:" >&2
    echo "$warnings" >&2
    exit 1
fi
swift test --disable-xctest
