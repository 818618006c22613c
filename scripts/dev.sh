#!/usr/bin/env bash
# `make dev`: serves the worker locally under workerd (wrangler dev) at http://127.0.0.1:$PORT
# (default 8787), with KV and Durable Object state persisted in .dev-state/ (SSF_DEV_STATE
# overrides), the inspector (www/) at /, and prints the local bearer token.
#
# SSF_TOKENS: taken from the environment if set (JSON object token -> receiver id); otherwise
# a random token for receiver "local" is generated once and kept in the state directory.
# Every other variable of worker/variables.list (the one list of what the worker reads) is
# passed through when set; SSF_LOCAL defaults to true.
#
# The build is `make build`'s (make dev runs it first). While serving, a watcher
# (scripts/dev-watch.mjs) runs scripts/build-worker.sh when a file under worker/src or
# core/src (or a Cargo manifest) changes; that script rebuilds only when their contents
# changed, and wrangler reloads the worker only when worker/build changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-8787}"
STATE="${SSF_DEV_STATE:-.dev-state}"
mkdir -p "$STATE"

if [ -z "${SSF_TOKENS:-}" ]; then
  if [ ! -s "$STATE/dev-token" ]; then
    node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > "$STATE/dev-token"
  fi
  TOKEN="$(cat "$STATE/dev-token")"
  SSF_TOKENS="{\"$TOKEN\":\"local\"}"
fi

# Variables go through an env file (JSON does not survive --var NAME:VALUE quoting); values
# are single-quoted, which dotenv takes literally.
envfile="$STATE/dev.env"
umask 077
put_var() { # name value
  case "$2" in *"'"*|*$'\n'*) echo "dev.sh: $1 must not contain a single quote or newline" >&2; exit 1;; esac
  printf "%s='%s'\n" "$1" "$2"
}
{
  put_var SSF_TOKENS "$SSF_TOKENS"
  # A local deployment: sources and peers on this machine may be called over http.
  put_var SSF_LOCAL "${SSF_LOCAL:-true}"
  while read -r v; do
    case "$v" in ''|'#'*|SSF_TOKENS|SSF_LOCAL) continue;; esac
    if [ -n "${!v:-}" ]; then put_var "$v" "${!v}"; fi
  done < worker/variables.list
} > "$envfile"

echo "=================================================================="
echo " SSF edge receiver: http://127.0.0.1:$PORT"
echo " discovery:         http://127.0.0.1:$PORT/.well-known/ssf-configuration"
echo " state persisted in $STATE/wrangler"
node -e '
  const t = JSON.parse(process.argv[1]);
  for (const [tok, rid] of Object.entries(t)) console.log(" bearer token for receiver " + JSON.stringify(rid) + ": " + tok);
' "$SSF_TOKENS"
echo " try: curl -s -H \"Authorization: Bearer <token>\" http://127.0.0.1:$PORT/ssf/streams"
echo "=================================================================="

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# The watcher and wrangler share this script's process group: stopping `make dev` (Ctrl-C,
# or a signal to the group) stops both, and workerd with them.
node scripts/dev-watch.mjs &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT
node_modules/.bin/wrangler dev --ip 127.0.0.1 --port "$PORT" \
  --persist-to "$STATE/wrangler" --env-file "$envfile" --show-interactive-dev-session=false
