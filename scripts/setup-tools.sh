#!/usr/bin/env bash
# Installs, idempotently, everything the worker build, `make dev` and the worker tests need on a
# machine that starts with only rustup and Node 20+:
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in Cargo.lock
#   - worker-build (workers-rs build tool)
#   - the root npm devDependencies (wrangler + workerd, miniflare, jose, binaryen, playwright-core)
# Each step is skipped when the right version is already there. Cargo tools go to the cargo bin
# dir ($CARGO_HOME/bin, usually ~/.cargo/bin); npm packages to ./node_modules.
#
# Environment: SKIP_NPM=1 skips the npm step (for callers that only need the Rust tools).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WASM_BINDGEN_VERSION="0.2.130"
WORKER_BUILD_VERSION="0.8.7"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

log() { printf '[setup-tools] %s\n' "$*"; }

command -v rustup >/dev/null || { log "rustup not found: install Rust via rustup first"; exit 1; }
command -v node >/dev/null || { log "node not found: install Node.js 20+ first"; exit 1; }
command -v npm >/dev/null || { log "npm not found: install Node.js 20+ (with npm) first"; exit 1; }

# 1. wasm target
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "wasm32-unknown-unknown target: present"
else
  log "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI (lock-step with the wasm-bindgen crate; NOT --locked, see TOOLCHAIN.md)
version_of() { "$@" --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true; }

have_wbg="$(version_of "$CARGO_BIN/wasm-bindgen")"
if [ "$have_wbg" = "$WASM_BINDGEN_VERSION" ]; then
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing (was: ${have_wbg:-none}; takes ~2.5 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. worker-build
have_wb="$(version_of "$CARGO_BIN/worker-build")"
if [ "$have_wb" = "$WORKER_BUILD_VERSION" ]; then
  log "worker-build $WORKER_BUILD_VERSION: present"
else
  log "worker-build $WORKER_BUILD_VERSION: installing (was: ${have_wb:-none}; takes ~4 min)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked --force
fi

# 4. npm devDependencies. The lock file's hash is recorded in node_modules once installed, so a
#    repeated run with an unchanged lock does nothing.
if [ "${SKIP_NPM:-0}" = "1" ]; then
  log "npm packages: skipped (SKIP_NPM=1)"
else
  stamp="node_modules/.setup-tools-lock-hash"
  want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | awk '{print $1}')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
     && [ -x node_modules/.bin/wrangler ] && [ -f node_modules/binaryen/bin/wasm-opt ]; then
    log "npm packages: present (package-lock.json unchanged)"
  else
    export WRANGLER_SEND_METRICS=false
    if [ -f package-lock.json ]; then
      log "npm packages: npm ci"
      npm ci --no-audit --no-fund
    else
      log "npm packages: npm install (no package-lock.json yet)"
      npm install --no-audit --no-fund
    fi
    want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | awk '{print $1}')"
    echo "$want" > "$stamp"
  fi
fi

log "done: wasm-bindgen $(version_of "$CARGO_BIN/wasm-bindgen"), worker-build $(version_of "$CARGO_BIN/worker-build"), wrangler $(node -p 'require("./node_modules/wrangler/package.json").version' 2>/dev/null || echo '?')"
