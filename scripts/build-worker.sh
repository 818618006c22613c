#!/usr/bin/env bash
# Builds the worker (crate ssf-worker) with worker-build into worker/build/, using the tools
# scripts/setup-tools.sh installs (it is run first; SSF_SKIP_SETUP=1 skips it).
#   WORKER_BUILD_PROFILE=dev  -> worker-build --dev (faster, bigger); default --release
# Also makes sure the static-assets directory (www/dist, see wrangler.toml) exists: when the
# inspector is not built yet, a placeholder www/dist/index.html is written so wrangler has
# something to serve at /.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ensure_www() {
  if [ ! -f www/dist/index.html ]; then
    mkdir -p www/dist
    cat > www/dist/index.html <<'HTML'
<!doctype html>
<meta charset="utf-8">
<title>SSF edge receiver</title>
<h1>SSF edge receiver</h1>
<p>Placeholder: the SET inspector (www/) is not built yet.
Discovery: <a href="/.well-known/ssf-configuration">/.well-known/ssf-configuration</a></p>
HTML
    echo "build-worker: inspector not built (scripts/build-www.sh), wrote placeholder www/dist/index.html"
  fi
}

# SSF_SKIP_BUILD=1 (scripts/test-worker.sh when asked): use the existing build as it is.
if [ "${SSF_SKIP_BUILD:-0}" = "1" ] && [ -f worker/build/index.js ]; then
  ensure_www
  exit 0
fi

if [ "${SSF_SKIP_SETUP:-0}" != "1" ]; then
  scripts/setup-tools.sh
fi

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
# worker-build downloads its tools from the network unless told where they are.
export WASM_BINDGEN_BIN="$CARGO_BIN/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/binaryen/bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/esbuild/bin/esbuild"
for t in "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  [ -x "$t" ] || { echo "build-worker: missing $t (run scripts/setup-tools.sh)" >&2; exit 1; }
done

ensure_www

# The build is skipped when its inputs are the ones of the last build (their contents, not
# their times: an editor saving an unchanged file, or a checkout, changes nothing), so
# `make build` on a built tree and `make dev`'s watcher rebuild only what really changed,
# and wrangler, which reloads when worker/build changes, restarts only then.
STAMP=worker/build/.inputs-sha256
inputs_hash() {
  {
    find worker/src core/src -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock worker/Cargo.toml core/Cargo.toml
    echo "profile=${WORKER_BUILD_PROFILE:-wasm} $("$WASM_BINDGEN_BIN" --version) $(worker-build --version 2>/dev/null)"
  } | sha256sum | awk '{print $1}'
}
want="$(inputs_hash)"
if [ -f worker/build/index.js ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "build-worker: worker/build is up to date (inputs unchanged)"
  exit 0
fi

# The npm package's size profile and flags (scripts/build-js.sh): the wasm dependencies are
# then compiled once for both, and the worker's wasm is smaller to deploy. Its speed-critical
# part, the signature check, is WebCrypto's, not wasm's.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg sha2_backend_soft=\"compact\""
mode="--profile wasm"
[ "${WORKER_BUILD_PROFILE:-wasm}" = "dev" ] && mode="--dev"
start=$(date +%s)
rm -f "$STAMP"
(cd worker && worker-build $mode)
echo "$want" > "$STAMP"
echo "build-worker: worker/build ready ($(( $(date +%s) - start )) s, $(du -h worker/build/index_bg.wasm 2>/dev/null | cut -f1 || echo '?') wasm)"
