#!/usr/bin/env bash
# make fuzz: every fuzz target (or FUZZ_TARGET) for FUZZ_SECONDS each (default 60), one after
# the other. Installs cargo-fuzz if missing; see fuzz/run.sh and fuzz/README.md.
#   FUZZ_SECONDS=600 FUZZ_TARGET=json make fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60} exec nice -n "${FUZZ_NICE:-10}" fuzz/run.sh
