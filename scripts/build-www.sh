#!/usr/bin/env bash
# Builds the SET inspector and the operator console into www/dist/: plain static files, no
# bundler.
#   www/src/*                         -> www/dist/ (www/src/console/index.html -> /console/)
#   js-bindings/pkg/dist (web build)  -> www/dist/lib/ (web.mjs, api.mjs, ssf_wasm.mjs, .wasm)
# js-bindings/pkg/ is built by scripts/build-js.sh; it is run first when the package is
# missing (or when BUILD_JS=1). Prints the sizes (raw and gzip) of what a browser loads.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/www/src"
OUT="$ROOT/www/dist"
PKG="$ROOT/js-bindings/pkg/dist"
started=$SECONDS
log() { printf '[build-www] %s\n' "$*"; }

if [ "${BUILD_JS:-0}" = "1" ] || [ ! -f "$PKG/web.mjs" ] || [ ! -f "$PKG/ssf_wasm_bg.wasm" ]; then
  log "js-bindings/pkg missing: running scripts/build-js.sh"
  "$ROOT/scripts/build-js.sh"
fi

# Built into a fresh folder, then moved into www/dist file by file, each by a rename: a
# running `make dev` serves www/dist all the while, so the folder is never removed and no
# file is ever half written. Unchanged files are left alone (no reload for nothing), and
# files the build no longer makes are removed last.
NEW="$(mktemp -d "$ROOT/www/.dist-new.XXXXXX")"
trap 'rm -rf "$NEW"' EXIT
mkdir -p "$NEW/lib"
cp "$SRC"/index.html "$SRC"/*.js "$SRC"/*.css "$NEW/"
[ -f "$SRC/_headers" ] && cp "$SRC/_headers" "$NEW/"
# The operator console: a second page of the same app (its code is console.js beside app.js).
mkdir -p "$NEW/console"
cp "$SRC/console/index.html" "$NEW/console/index.html"
for f in web.mjs api.mjs transport.mjs ssf_wasm.mjs ssf_wasm_bg.wasm; do
  cp "$PKG/$f" "$NEW/lib/$f"
done
# The web entry must not reach for Node's crypto or anything outside lib/, and every module
# it imports must be there (a missing one leaves the page without its validator).
if grep -Eq "from ['\"](node:|\.\./)" "$NEW"/lib/*.mjs; then
  log "lib/ imports something outside itself"; exit 1
fi
for dep in $(grep -ohE "from '\./[^']+'" "$NEW"/lib/*.mjs | sed -E "s/from '\.\/(.*)'/\1/" | sort -u); do
  [ -f "$NEW/lib/$dep" ] || { log "lib/ imports ./$dep, which the build did not copy"; exit 1; }
done
mkdir -p "$OUT"
(cd "$NEW" && find . -type f | sort) | while IFS= read -r f; do
  f="${f#./}"
  if cmp -s "$NEW/$f" "$OUT/$f"; then continue; fi
  mkdir -p "$(dirname "$OUT/$f")"
  cp "$NEW/$f" "$OUT/$f.tmp-$$"
  mv -f "$OUT/$f.tmp-$$" "$OUT/$f"
done
(cd "$OUT" && find . -type f | sort) | while IFS= read -r f; do
  f="${f#./}"
  [ -e "$NEW/$f" ] || rm -f "$OUT/$f"
done

total=0; total_gz=0
log "files (bytes, gzip -9):"
while IFS= read -r f; do
  raw=$(wc -c < "$f" | tr -d ' ')
  gz=$(gzip -9 -c "$f" | wc -c | tr -d ' ')
  total=$((total + raw)); total_gz=$((total_gz + gz))
  printf '[build-www]   %-28s %8d %8d\n' "${f#"$OUT"/}" "$raw" "$gz"
done < <(find "$OUT" -type f | sort)
log "total: $total bytes raw, $total_gz gzip"
log "www/dist ready in $((SECONDS - started)) s"
