#!/usr/bin/env bash
# Builds the npm package `shared-signals` from js-bindings/ (crate ssf-wasm):
#   1. cargo build --profile wasm --target wasm32-unknown-unknown -p ssf-wasm (the root
#      Cargo.toml's [profile.wasm]: release tuned for size; see "Size" below)
#   2. wasm-bindgen (the CLI at the locked version) for Node (CommonJS, loads synchronously)
#      and for the web (ES module, explicit async init); both glues share one .wasm file
#   3. wasm-opt -Oz from the npm package `binaryen` (never Debian's binaryen)
#   4. assembles js-bindings/pkg/ (the package directory) and runs `npm pack`, giving
#      js-bindings/shared-signals-<version>.tgz; prints the sizes
# Set-up (wasm target, wasm-bindgen CLI, binaryen) is scripts/setup-tools.sh's, run first
# when present. Environment: SKIP_SETUP=1 skips it (when the caller already ran it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JS="$ROOT/js-bindings"
PKG="$JS/pkg"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WASM_BINDGEN_VERSION="0.2.130"
WASM_OPT="$ROOT/node_modules/binaryen/bin/wasm-opt"

log() { printf '[build-js] %s\n' "$*"; }
started=$SECONDS

if [ "${SKIP_SETUP:-0}" != "1" ] && [ -x "$ROOT/scripts/setup-tools.sh" ]; then
  "$ROOT/scripts/setup-tools.sh"
fi

# The pieces this script needs, whoever installed them.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
have_wbg="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wbg" != "$WASM_BINDGEN_VERSION" ]; then
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION missing (found: ${have_wbg:-none}): installing"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if [ ! -f "$WASM_OPT" ]; then
  log "binaryen (npm) missing: installing the root devDependencies"
  (cd "$ROOT" && npm ci --no-audit --no-fund)
fi

# Size: the package's wasm is a download, so it is built for size (each step measured,
# see js-bindings/SIZE.md): [profile.wasm] (opt-level "z"), SHA-2's compact round
# function, and ssf-core without its Ed25519 tables (ssf-wasm does not enable
# `ed25519-tables`). The flags apply to wasm32 artefacts only, so host build scripts and
# the worker's build are untouched; a separate profile keeps their artefacts apart too.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg sha2_backend_soft=\"compact\""
log "cargo build (wasm32-unknown-unknown, profile wasm)"
cargo build -p ssf-wasm --profile wasm --target wasm32-unknown-unknown
RAW_WASM="$TARGET_DIR/wasm32-unknown-unknown/wasm/ssf_wasm.wasm"

WORK="$TARGET_DIR/js-bindings"
rm -rf "$WORK"
mkdir -p "$WORK/node" "$WORK/web"
log "wasm-bindgen (nodejs, web)"
wasm-bindgen --target nodejs --no-typescript --out-dir "$WORK/node" "$RAW_WASM"
wasm-bindgen --target web --no-typescript --out-dir "$WORK/web" "$RAW_WASM"
# One binary serves both glues: stop if wasm-bindgen ever makes them differ.
cmp -s "$WORK/node/ssf_wasm_bg.wasm" "$WORK/web/ssf_wasm_bg.wasm" || {
  log "the nodejs and web targets produced different .wasm files"
  exit 1
}

# wasm-opt (binaryen's JS build) takes a minute on this machine kind: its output is kept
# under the hash of its input, flags and version, so an unchanged crate is not optimised again.
BINARYEN_VERSION="$(node -p "require('$ROOT/node_modules/binaryen/package.json').version")"
OPT_FLAGS=(-Oz --strip-debug --strip-producers
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
OPT_CACHE="$TARGET_DIR/js-bindings-wasm-opt"
opt_key="$( { sha256sum < "$WORK/web/ssf_wasm_bg.wasm"; echo "${OPT_FLAGS[*]} $BINARYEN_VERSION"; } | sha256sum | awk '{print $1}')"
if [ -f "$OPT_CACHE/$opt_key.wasm" ]; then
  log "wasm-opt -Oz: unchanged input, reusing the optimised module"
  cp "$OPT_CACHE/$opt_key.wasm" "$WORK/ssf_wasm_bg.wasm"
else
  log "wasm-opt -Oz (binaryen $BINARYEN_VERSION)"
  node "$WASM_OPT" "${OPT_FLAGS[@]}" -o "$WORK/ssf_wasm_bg.wasm" "$WORK/web/ssf_wasm_bg.wasm"
  rm -rf "$OPT_CACHE"
  mkdir -p "$OPT_CACHE"
  cp "$WORK/ssf_wasm_bg.wasm" "$OPT_CACHE/$opt_key.wasm"
fi

log "assembling $PKG"
rm -rf "$PKG"
mkdir -p "$PKG/dist" "$PKG/bin"
cp "$WORK/ssf_wasm_bg.wasm" "$PKG/dist/ssf_wasm_bg.wasm"
# The glues keep their code; only the file names change (.cjs / .mjs say what they are,
# whatever the enclosing package.json says), and the pointer to a .d.ts not shipped goes.
sed -e '/@ts-self-types/d' "$WORK/node/ssf_wasm.js" > "$PKG/dist/ssf_wasm.cjs"
sed -e '/@ts-self-types/d' "$WORK/web/ssf_wasm.js" > "$PKG/dist/ssf_wasm.mjs"
grep -q 'ssf_wasm_bg.wasm' "$PKG/dist/ssf_wasm.cjs"
grep -q "new URL('ssf_wasm_bg.wasm', import.meta.url)" "$PKG/dist/ssf_wasm.mjs"
# The API, written once, as CommonJS and as an ES module.
{
  echo "'use strict';"
  cat "$JS/js/api.js"
  echo "module.exports = { createApi, SetError };"
} > "$PKG/dist/api.cjs"
{
  cat "$JS/js/api.js"
  echo "export { createApi, SetError };"
} > "$PKG/dist/api.mjs"
# The transport layer (push, poll, management API, remote key sets), wrapped the same way.
{
  echo "'use strict';"
  cat "$JS/js/transport.js"
  echo "module.exports = { createTransport, PushError, SsfError, JwksError };"
} > "$PKG/dist/transport.cjs"
{
  cat "$JS/js/transport.js"
  echo "export { createTransport, PushError, SsfError, JwksError };"
} > "$PKG/dist/transport.mjs"
cp "$JS/js/node.cjs" "$JS/js/node.mjs" "$JS/js/web.mjs" "$JS/js/workerd.mjs" "$PKG/dist/"
cp "$JS/js/cli.cjs" "$PKG/bin/shared-signals.cjs"
chmod +x "$PKG/bin/shared-signals.cjs"
cp "$JS/package/package.json" "$JS/package/README.md" "$JS/package/index.d.ts" "$PKG/"
cp "$JS/package/index.d.ts" "$PKG/index.d.mts"

log "npm pack"
rm -f "$JS"/shared-signals-*.tgz
tarball="$(cd "$PKG" && npm pack --silent --pack-destination "$JS" | tail -n 1)"
TGZ="$JS/$tarball"

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
log "sizes (bytes):"
log "  wasm before wasm-bindgen:   $(size "$RAW_WASM")"
log "  wasm after wasm-bindgen:    $(size "$WORK/web/ssf_wasm_bg.wasm")"
log "  wasm after wasm-opt -Oz:    $(size "$PKG/dist/ssf_wasm_bg.wasm") (gzip $(gz "$PKG/dist/ssf_wasm_bg.wasm"))"
log "  package tarball:            $(size "$TGZ")  $TGZ"
log "  unpacked:                   $(du -sb "$PKG" | awk '{print $1}')"
log "done in $((SECONDS - started)) s"
