#!/usr/bin/env bash
# Runs every suite, prints each suite's result and, as the very last line, the total as
# "N passed, N failed". Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
logdir=test-artifacts/logs
mkdir -p "$logdir"

record() { # name passed failed
  printf '  %-28s %5d passed, %d failed\n' "$1" "$2" "$3"
  passed=$((passed + $2))
  failed=$((failed + $3))
}

# A check that is one command: 1 passed or 1 failed.
check() { # name command...
  local name=$1; shift
  if "$@" >"$logdir/$name.log" 2>&1; then record "$name" 1 0
  else record "$name" 0 1; echo "--- $name failed:"; tail -n 40 "$logdir/$name.log"; fi
}

# cargo test: sums every "test result" line.
cargo_suite() { # name args...
  local name=$1; shift
  local log="$logdir/$name.log"
  cargo test "$@" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "$name" "$p" "$f"
  if [ $rc -ne 0 ]; then echo "--- $name failed:"; grep -E '^(test .* FAILED|---- |error)' "$log" | head -n 40; tail -n 30 "$log"; fi
}

# A script whose last line is "N passed, N failed".
script_suite() { # name script
  local name=$1 script=$2
  [ -x "$script" ] || return 0
  local log="$logdir/$name.log"
  "$script" 2>&1 | tee "$log" | sed 's/^/    /' | tail -n 15
  local rc=${PIPESTATUS[0]}
  local last p f
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  p=$(echo "${last:-0 passed, 0 failed}" | awk '{print $1}')
  f=$(echo "${last:-0 passed, 0 failed}" | awk '{print $3}')
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ -z "$last" ]; then f=$((f == 0 ? 1 : f)); fi
  record "$name" "$p" "$f"
}

echo "== suites"
check rustfmt cargo fmt --all -- --check
check clippy cargo clippy -p ssf-core --all-targets --features getrandom -- -D warnings
check clippy-worker cargo clippy -p ssf-worker --target wasm32-unknown-unknown -- -D warnings
check clippy-worker-tests cargo clippy -p ssf-worker --all-targets -- -D warnings
check clippy-wasm cargo clippy -p ssf-wasm --target wasm32-unknown-unknown -- -D warnings
check rustdoc env RUSTDOCFLAGS="-D warnings" cargo doc -p ssf-core --no-deps --features getrandom
check no-std-wasm-build cargo build -p ssf-core --target wasm32-unknown-unknown --no-default-features --features rustcrypto
check no-std-deps scripts/check-no-std.sh
cargo_suite core -p ssf-core --features getrandom
script_suite fuzz scripts/test-fuzz.sh
cargo_suite ssf-wasm -p ssf-wasm
cargo_suite ssf-worker-unit -p ssf-worker --lib
script_suite js-bindings scripts/test-js.sh
script_suite worker scripts/test-worker.sh
script_suite browser scripts/test-www.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
