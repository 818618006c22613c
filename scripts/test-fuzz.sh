#!/usr/bin/env bash
# The fuzz suite of make test: builds every fuzz target once, then runs each for a short
# time (FUZZ_SECONDS, default 15) from the committed seeds, so that an input that panics is
# caught by CI. Last line: "N passed, N failed", one per target.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-15} exec nice -n "${FUZZ_NICE:-10}" fuzz/run.sh
