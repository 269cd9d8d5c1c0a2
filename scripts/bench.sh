#!/usr/bin/env bash
# End-to-end benchmark of billingd (release build, durable default settings). Prints its figures; the
# last line is one JSON object: events_per_s, kcat_events_per_s, ratio, p50_ms, p99_ms, rss_mb.
#
#   scripts/bench.sh [EVENTS] [RATE] [STEADY_SECONDS]     defaults: 300000 2000 10
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-300000}
rate=${2:-2000}
steady=${3:-10}
command -v kcat >/dev/null || { echo "bench: kcat is missing; run scripts/bootstrap.sh" >&2; exit 1; }
swift build -c release --product billingd >&2
swift build -c release --product billing-bench >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/billingd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "bench: $(nproc) cores, librdkafka $(pkg-config --modversion rdkafka), $events events, latency at $rate events/s for ${steady}s" >&2
"$bin/billing-bench" --billingd "$bin/billingd" --config config/billingd.yaml \
    --events "$events" --rate "$rate" --steady-seconds "$steady" --work "$work/run"
