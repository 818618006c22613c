#!/usr/bin/env bash
# Browser tests of the SET inspector: Debian's Chromium driven by playwright-core (node:test),
# against www/dist served by a tiny Node static server (tests/browser/harness.mjs).
#   - installs Chromium from Debian's packages if missing (never a browser download)
#   - installs the root npm devDependencies (playwright-core) if missing
#   - builds www/dist (scripts/build-www.sh; SKIP_BUILD=1 skips it)
#   - screenshots go to test-artifacts/screenshots/
# Last line: "N passed, N failed". Exit status non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[test-www] %s\n' "$*"; }
fail_setup() { log "$1"; echo "0 passed, 1 failed"; exit 1; }
started=$SECONDS

if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's chromium"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium) >/dev/null \
    || fail_setup "could not install chromium"
fi
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"

if [ ! -f node_modules/playwright-core/package.json ]; then
  log "installing npm devDependencies (playwright-core)"
  npm ci --no-audit --no-fund >/dev/null || fail_setup "npm ci failed"
fi

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  scripts/build-www.sh || fail_setup "build-www failed"
fi

mkdir -p test-artifacts/screenshots test-artifacts/logs
tap=test-artifacts/logs/browser.tap
node --test --test-reporter=tap --test-concurrency=1 tests/browser/*.test.mjs > "$tap" 2>&1
rc=$?
# Show each test's verdict, the failures' details and the timing notes.
grep -E '^(not )?ok [0-9]+ - |^# (first load|pass|fail)' "$tap" | sed 's/^/  /'
if [ $rc -ne 0 ]; then
  log "failures (from $tap):"
  awk '/^not ok/{p=1} p&&/^ok /{p=0} p' "$tap" | head -n 80
fi
passed=$(awk '/^# pass /{print $3}' "$tap" | tail -n 1)
failed=$(awk '/^# fail /{print $3}' "$tap" | tail -n 1)
passed=${passed:-0}; failed=${failed:-0}
if [ $rc -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
log "screenshots: test-artifacts/screenshots/ ($(ls test-artifacts/screenshots | wc -l) files); $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
