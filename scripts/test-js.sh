#!/usr/bin/env bash
# Tests the npm package `shared-signals` as users get it: the tarball made by
# scripts/build-js.sh is installed into a scratch project (js-bindings/.scratch, gitignored)
# together with the test-only packages of js-bindings/tests/package.json (jose, typescript, express,
# @types/node; pinned by its package-lock.json), and js-bindings/tests/*.test.mjs run there
# with Node's built-in test runner.
#
# The last line printed is exactly `N passed, N failed`; the exit status is non-zero when a
# test failed (or none ran).
#
# Environment: SKIP_SETUP=1 skips scripts/setup-tools.sh; SSF_VECTORS overrides the vectors
# folder (default: <repo>/../shared/vectors).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JS="$ROOT/js-bindings"
SCRATCH="$JS/.scratch"
log() { printf '[test-js] %s\n' "$*"; }
started=$SECONDS

fail_setup() {
  log "$*"
  echo "0 passed, 1 failed"
  exit 1
}

if [ "${SKIP_SETUP:-0}" != "1" ] && [ -x "$ROOT/scripts/setup-tools.sh" ]; then
  "$ROOT/scripts/setup-tools.sh" || fail_setup "setup-tools.sh failed"
fi

tarball="$(ls -t "$JS"/shared-signals-*.tgz 2>/dev/null | head -n 1 || true)"
if [ -z "$tarball" ]; then
  log "no packed tarball yet: running scripts/build-js.sh"
  SKIP_SETUP=1 "$ROOT/scripts/build-js.sh" || fail_setup "build-js.sh failed"
  tarball="$(ls -t "$JS"/shared-signals-*.tgz | head -n 1)"
fi
log "tarball: $tarball"

# The scratch project: its dependencies are installed once per lock file, the package
# under test every time.
mkdir -p "$SCRATCH"
cp "$JS/tests/package.json" "$JS/tests/package-lock.json" "$SCRATCH/"
want="$(cat "$JS/tests/package.json" "$JS/tests/package-lock.json" | sha256sum | awk '{print $1}')"
stamp="$SCRATCH/node_modules/.deps-lock-hash"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "scratch project: npm ci (jose, typescript, @types/node, express)"
  (cd "$SCRATCH" && npm ci --no-audit --no-fund --loglevel=error) || fail_setup "npm ci failed"
  echo "$want" > "$stamp"
fi
log "scratch project: installing the tarball"
(cd "$SCRATCH" && npm install --no-save --no-audit --no-fund --loglevel=error "$tarball") \
  || fail_setup "installing $tarball failed"

rm -rf "$SCRATCH/tests"
mkdir -p "$SCRATCH/tests"
cp -R "$JS/tests/." "$SCRATCH/tests/"
rm -f "$SCRATCH/tests/package.json" "$SCRATCH/tests/package-lock.json"

export SSF_REPO_ROOT="$ROOT"
export SSF_TARBALL="$tarball"
export SSF_VECTORS="${SSF_VECTORS:-$(cd "$ROOT/.." && pwd)/shared/vectors}"
export WRANGLER_SEND_METRICS=false

tap="$SCRATCH/results.tap"
rm -f "$tap"
cd "$SCRATCH"
mapfile -t files < <(ls tests/*.test.mjs | sort)
log "running ${#files[@]} test files"
# A test that hangs fails after 5 minutes instead of holding CI until its own timeout.
node --test --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}"
status=$?

count() { grep -E "^# $1 [0-9]+" "${2:-$tap}" 2>/dev/null | tail -n 1 | awk '{print $3}'; }
pass="$(count pass)"; fail="$(count fail)"; cancelled="$(count cancelled)"; todo="$(count todo)"
pass="${pass:-0}"; fail="$(( ${fail:-0} + ${cancelled:-0} ))"

# A test file that timed out as a whole (seen now and then, cause not yet found; every
# such file passed when run again) is run once more, loudly. Only a file-level timeout
# qualifies: a failing assertion, or a file that hangs twice, still fails the suite.
mapfile -t hung < <(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^not ok \d+ - (.*\.test\.mjs)$/.exec(lines[i]);
    if (!m) continue;
    const block = [];
    for (let j = i + 1; j < lines.length && lines[j] !== "  ..."; j++) block.push(lines[j]);
    if (block.some((l) => l.includes("testTimeoutFailure"))) console.log(m[1]);
  }' "$tap")
if [ "${#hung[@]}" -gt 0 ] && [ "$status" != "0" ]; then
  log "RETRY: ${hung[*]} timed out as a whole; running once more"
  tap2="$SCRATCH/results-retry.tap"
  node --test --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap2" \
    "${hung[@]}"
  status2=$?
  pass2="$(count pass "$tap2")"; fail2="$(count fail "$tap2")"; cancelled2="$(count cancelled "$tap2")"
  pass=$((pass + ${pass2:-0}))
  fail=$((fail - ${#hung[@]} + ${fail2:-0} + ${cancelled2:-0}))
  if [ "$fail" = "0" ] && [ "$status2" = "0" ]; then status=0; fi
fi
if [ "${todo:-0}" != "0" ]; then log "todo (not counted as passed): $todo"; fi
if [ "$pass" = "0" ] && [ "$fail" = "0" ]; then fail=1; fi
if [ "$status" != "0" ] && [ "$fail" = "0" ]; then fail=1; fi
log "done in $((SECONDS - started)) s"
echo "$pass passed, $fail failed"
[ "$fail" = "0" ]
