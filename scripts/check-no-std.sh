#!/usr/bin/env bash
# Proves that ssf-core without its `std` feature pulls in no crate's `std` feature either,
# for wasm32-unknown-unknown (the target of the npm package and the worker).
set -euo pipefail
cd "$(dirname "$0")/.."
for features in rustcrypto "rustcrypto,getrandom"; do
  tree=$(cargo tree -p ssf-core -e features,normal --no-default-features --features "$features" \
    --target wasm32-unknown-unknown --prefix none)
  if grep -E 'feature "std"' <<<"$tree"; then
    echo "ssf-core --features $features enables a std feature (above)"; exit 1
  fi
done
echo "no std feature reachable from ssf-core"
