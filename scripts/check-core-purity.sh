#!/usr/bin/env bash
# Fails when BillingCore imports anything but Foundation (GUIDE §2: the core is pure), or uses
# binary floating point, which must never carry money.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
imports=$(grep -rhoE '^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*(public |internal |package )?import\s+[A-Za-z_.]+' Sources/BillingCore \
    | sed -E 's/.*import\s+//' | sort -u)
for module in $imports; do
    if [ "$module" != "Foundation" ]; then
        echo "check-core-purity: BillingCore imports $module; only Foundation is allowed:" >&2
        grep -rnE "import\s+$module\b" Sources/BillingCore >&2
        status=1
    fi
done
if grep -rnE '\b(Double|Float|Float32|Float64|CGFloat)\b' Sources/BillingCore; then
    echo "check-core-purity: binary floating point in BillingCore (money must be integer minor units)" >&2
    status=1
fi
[ $status -eq 0 ] && echo "check-core-purity: BillingCore imports only Foundation and uses no floating point"
exit $status
