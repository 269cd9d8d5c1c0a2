#!/usr/bin/env bash
# Sets up a fresh Debian machine for billingd and builds it. Idempotent: installs only what is
# missing, then builds. Run as root or as a user with sudo.
#
#   scripts/bootstrap.sh            # install system packages, debug build
#   scripts/bootstrap.sh --release  # same, release build
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages billingd and its tests use:
#   librdkafka-dev pkg-config  the Kafka client library we link (through Sources/CRdKafka)
#   libsqlite3-dev sqlite3     SQLite for GRDB, and the shell for looking at the store
#   kcat                       the outside Kafka client the tests and the README use
#   prometheus                 promtool, to check the metrics we expose
#   systemd                    systemd-analyze, to check the unit file
#   hledger                    checks our accounting exports from the outside
#   python3                    scripts/check-schemas.py (the JSON Schemas of docs/)
packages=(librdkafka-dev pkg-config libsqlite3-dev sqlite3 kcat prometheus systemd hledger python3)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # --no-install-recommends keeps prometheus from pulling in its web console; policy-rc.d stops
    # package scripts from starting services (prometheus) on a build machine.
    "${sudo[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
else
    echo "bootstrap: system packages already present" >&2
fi

echo "bootstrap: librdkafka $(pkg-config --modversion rdkafka)" >&2

# The JSON Schema validator used by scripts/check-schemas.py (needs jsonschema >= 4.18 for `referencing`).
if ! python3 -c "import jsonschema, referencing" 2>/dev/null; then
    echo "bootstrap: installing the Python jsonschema package" >&2
    python3 -m pip install --quiet "jsonschema>=4.18" >&2 || python3 -m pip install --quiet --break-system-packages "jsonschema>=4.18" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "bootstrap: no Swift toolchain on PATH (Swift 6.2 or later is needed)" >&2
        exit 1
    fi
fi

configuration=debug
if [ "${1:-}" = "--release" ]; then configuration=release; fi
echo "bootstrap: swift build -c $configuration" >&2
swift build -c "$configuration"
