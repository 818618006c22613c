#!/usr/bin/env bash
# Builds the fuzz targets once and runs each for FUZZ_SECONDS (default 60) with libFuzzer,
# serially. FUZZ_TARGET picks one target (default: all of them). Prints one line per target
# with its executions and executions per second, and as the last line "N passed, N failed"
# (a target passes when it ran its time without a crash, leak or timeout). Used by
# scripts/fuzz.sh (make fuzz) and scripts/test-fuzz.sh (make test).
#
# Set-up is its own: cargo-fuzz is installed when missing, and the workspace Cargo.lock is
# copied over fuzz/Cargo.lock before building, so the fuzz crate always resolves ssf-core's
# dependencies to the versions the workspace uses. cargo-fuzz needs nightly features; the
# stable toolchain provides them with RUSTC_BOOTSTRAP=1.
#
# Working corpora grow in fuzz/corpus/<target>/ (git-ignored) on top of the committed seeds
# in fuzz/seeds/<target>/; crashing inputs land in fuzz/artifacts/<target>/, logs in
# test-artifacts/fuzz/<target>.log.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
only=${FUZZ_TARGET:-}
logs=$root/test-artifacts/fuzz
mkdir -p "$logs"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz || {
    echo "cargo-fuzz could not be installed"; echo "0 passed, 1 failed"; exit 1; }
fi

cp "$root/Cargo.lock" "$root/fuzz/Cargo.lock"
cd "$root/fuzz"
export RUSTC_BOOTSTRAP=1

mapfile -t targets < <(cargo fuzz list)
if [ -n "$only" ]; then
  if ! printf '%s\n' "${targets[@]}" | grep -qx -- "$only"; then
    echo "no fuzz target named $only (have: ${targets[*]})"; echo "0 passed, 1 failed"; exit 1
  fi
  targets=("$only")
fi

# One build of every target (or the chosen one): release, debug assertions on (overflow
# checks), AddressSanitizer.
start=$(date +%s)
build_args=(-a)
[ -n "$only" ] && build_args+=("$only")
if ! cargo fuzz build "${build_args[@]}" >"$logs/build.log" 2>&1; then
  tail -n 40 "$logs/build.log"; echo "0 passed, ${#targets[@]} failed"; exit 1
fi
echo "build: $(($(date +%s) - start)) s"
bin=$root/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

passed=0
failed=0
printf '  %-14s %-6s %12s %10s %8s\n' target result executions "exec/s" corpus
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log=$logs/$t.log
  "$bin/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
    -artifact_prefix="artifacts/$t/" "corpus/$t" "seeds/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  units=$(find "corpus/$t" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); result=ok
  else
    failed=$((failed + 1)); result=FAILED
  fi
  printf '  %-14s %-6s %12s %10s %8s\n' "$t" "$result" "${runs:-?}" "${rate:-?}" "$units"
  if [ "$rc" -ne 0 ]; then
    echo "--- $t (exit $rc), log $log:"
    grep -E -A12 '^(thread .* panicked|==[0-9]+==ERROR|SUMMARY)' "$log" | head -n 30
    grep -E 'Test unit written to' "$log" | sed 's/^/    /'
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
