#!/usr/bin/env bash
# Worker end-to-end tests (tests/worker/*.test.mjs, node:test) against the built worker running
# in workerd (Miniflare 4, and wrangler dev for the restart test). Builds the worker first
# (scripts/build-worker.sh, which runs scripts/setup-tools.sh) unless SSF_SKIP_BUILD=1.
# Last line: "N passed, N failed" (todo and skipped tests are counted and shown before it).
# Exit status non-zero when anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

if [ "${SSF_SKIP_BUILD:-0}" != "1" ]; then
  if ! scripts/build-worker.sh; then
    echo "worker build failed"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

mkdir -p test-artifacts
log=test-artifacts/worker-tests.log
# One file at a time: the files start workerd instances and a wrangler dev of their own.
node --test --test-concurrency=1 --test-reporter=spec tests/worker/*.test.mjs 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

num() { grep -E "^ℹ $1 [0-9]+" "$log" | tail -n 1 | awk '{print $3}'; }
pass=$(num pass); fail=$(num fail); todo=$(num todo); skipped=$(num skipped); cancelled=$(num cancelled)
pass=${pass:-0}; fail=${fail:-0}; todo=${todo:-0}; skipped=${skipped:-0}; cancelled=${cancelled:-0}
fail=$((fail + cancelled))
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
echo "worker e2e: $pass passed, $fail failed, $todo todo, $skipped skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
