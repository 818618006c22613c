#!/usr/bin/env bash
# `make bench` (after `make build`): measures the toolkit against its peers in one run and
# writes BENCHMARKS.md. Every claim in it is a ratio against a peer measured in the same
# run on the same machine (figures on shared 2-core machines drift). Parts:
#   1. native core (Criterion, core/benches/set.rs) vs `openssl speed` and `jsonwebtoken`
#   2. the npm package vs jose in Node (bench/npm.mjs), and its transport layer (remote
#      keys, push endpoint under node:http) vs jose's equivalents (bench/transport.mjs)
#   3. the worker in workerd vs a minimal Node + jose receiver (bench/receivers.mjs), and
#      push delivery out of the worker vs a minimal Node relay (bench/relay.mjs), and
#      originated events fanned out to 1 / 100 / 1,000 streams vs jose signing them
#      (bench/emit.mjs)
#   4. sizes (npm tarball and wasm, worker wasm, inspector transfer, jose's package)
# A part whose prerequisite is missing or that fails is reported as "not measured (reason)";
# the script still writes the report. Nothing here asserts on time.
# Environment: SSF_BENCH_QUICK=1 shortens every measurement (smoke run, not for the report);
# LOAD_SECONDS (default 30) is the load test's length; BENCH_PORT (default 18787).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET_DIR/bench"
rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS
log() { printf '[bench] %s\n' "$*"; }

# Runs one part; on failure records why (the last lines of its output) for the report.
part() {
  local name="$1"; shift
  log "== $name"
  local t0=$SECONDS
  if "$@" 2>&1 | tee "$OUT/$name.log"; then
    echo $((SECONDS - t0)) > "$OUT/$name.seconds"
  else
    log "$name failed: reported as not measured"
    tail -n 5 "$OUT/$name.log" > "$OUT/$name.failed"
  fi
}
skip() { log "== $1: not measured ($2)"; echo "$2" > "$OUT/$1.skipped"; }

# ---- machine ----------------------------------------------------------------------------
{
  echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
  echo "cores=$(nproc)"
  echo "kernel=$(uname -sr)"
  echo "rustc=$(rustc --version)"
  echo "node=$(node --version)"
  echo "openssl=$(openssl version 2>/dev/null || echo none)"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.env"
cat "$OUT/machine.env"

# ---- 1. native ------------------------------------------------------------------------------
openssl_speed() {
  # Raw signature verification (no hashing, no parsing): the practical limit.
  openssl speed -seconds 1 -mr ecdsap256 rsa2048 2>/dev/null | grep '^+F' > "$OUT/openssl-$1.txt"
  cat "$OUT/openssl-$1.txt"
}
if command -v openssl >/dev/null; then
  part openssl-before openssl_speed before
else
  skip openssl-before "openssl not installed"
fi
rm -rf "$TARGET_DIR/criterion"
# The bench profile inherits the workspace's release profile, without LTO and with parallel
# codegen: it builds in two thirds of the time, which keeps make bench inside its budget
# (the signature arithmetic is ring's assembly either way).
part native env CARGO_PROFILE_BENCH_LTO=off CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 cargo bench -p ssf-core --features ring,getrandom,ec-tables --bench set
if command -v openssl >/dev/null; then part openssl-after openssl_speed after; fi

# ---- 2. npm package in Node ---------------------------------------------------------------
if [ ! -f js-bindings/pkg/package.json ]; then
  skip npm "js-bindings/pkg not built (scripts/build-js.sh)"
elif [ ! -d node_modules/jose ]; then
  skip npm "jose not installed (npm ci at the root)"
else
  part npm node bench/npm.mjs "$OUT/npm.json"
  # The transport layer (remote keys, push endpoint) against jose's equivalents.
  part transport node bench/transport.mjs "$OUT/transport.json"
fi

# ---- 3. worker in workerd vs Node + jose -----------------------------------------------------
if [ ! -d bench/node_modules/autocannon ]; then
  log "installing the load generator (bench/package.json)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error) || true
fi
if [ ! -d bench/node_modules/autocannon ]; then
  skip receivers "autocannon could not be installed"
elif [ ! -d node_modules/miniflare ] || [ ! -d node_modules/jose ]; then
  skip receivers "miniflare / jose not installed (npm ci at the root)"
elif [ ! -f worker/build/index.js ]; then
  SKIP_WORKER=1 part receivers node bench/receivers.mjs "$OUT/receivers.json"
  echo "worker/build not built (scripts/build-worker.sh)" > "$OUT/worker.skipped"
else
  part receivers node bench/receivers.mjs "$OUT/receivers.json"
  part relay node bench/relay.mjs "$OUT/relay.json"
  part emit node bench/emit.mjs "$OUT/emit.json"
fi

# ---- 4. sizes ----------------------------------------------------------------------------------
part sizes node bench/sizes.mjs "$OUT/sizes.json"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.env"
echo "seconds=$((SECONDS - started))" >> "$OUT/machine.env"
# Written by `make bench` before it builds: the whole command, builds included.
if [ -f "$ROOT/target/bench-started" ]; then
  echo "make_seconds=$(( $(date +%s) - $(cat "$ROOT/target/bench-started") ))" >> "$OUT/machine.env"
  rm -f "$ROOT/target/bench-started"
fi
node bench/report.mjs "$OUT" "$TARGET_DIR/criterion" > BENCHMARKS.md
log "BENCHMARKS.md written ($((SECONDS - started)) s)"
