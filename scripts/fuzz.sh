#!/usr/bin/env bash
# Fuzzes decode + verify with libFuzzer through cargo-fuzz. Runs FUZZ_SECONDS (default 60).
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable toolchain provide them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run decode_verify -- -max_total_time="${FUZZ_SECONDS:-60}" -max_len=70000
