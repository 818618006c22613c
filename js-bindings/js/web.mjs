// Browser and bundler entry (ES module). Call `await init()` once before anything else;
// the wasm file is found next to this module (bundlers follow `new URL(..., import.meta.url)`)
// unless `init` is given a URL, Response, bytes or WebAssembly.Module.
import initWasm, { initSync as initWasmSync } from './ssf_wasm.mjs';
import * as wasm from './ssf_wasm.mjs';
import { createApi } from './api.mjs';
import { createTransport } from './transport.mjs';

function builtin(name) {
  try {
    const p = globalThis.process;
    if (p && typeof p.getBuiltinModule === 'function') return p.getBuiltinModule(name) || null;
  } catch {
    // Not a server-side runtime.
  }
  return null;
}

// Runtimes that offer Node's synchronous crypto (Node, Deno, workerd with nodejs_compat)
// do the signature arithmetic natively; browsers use the wasm implementation.
function nativeCrypto() {
  const c = builtin('node:crypto');
  if (c && typeof c.verify === 'function' && typeof c.createPublicKey === 'function') return c;
  return null;
}

let ready = false;
let pending = null;

const api = createApi(wasm, { crypto: nativeCrypto(), isReady: () => ready });

/**
 * Loads the WebAssembly module. Safe to call more than once.
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} [input]
 */
export function init(input) {
  if (ready) return Promise.resolve();
  if (pending === null) {
    pending = (async () => {
      let source = input;
      if (source === undefined) {
        // The file next to this module; fetch() cannot read file: URLs, so a server-side
        // runtime reads it from disk instead.
        const url = new URL('ssf_wasm_bg.wasm', import.meta.url);
        const fs = url.protocol === 'file:' ? builtin('node:fs') : null;
        source = fs ? fs.readFileSync(url) : url;
      }
      await initWasm({ module_or_path: source });
      ready = true;
    })();
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}

/**
 * Loads the WebAssembly module synchronously from its bytes or a compiled module.
 * @param {BufferSource | WebAssembly.Module} module
 */
export function initSync(module) {
  if (ready) return;
  initWasmSync({ module });
  ready = true;
}

export const {
  SetError,
  AccessTokenError,
  decodeSet,
  verifySet,
  verifyAccessToken,
  signSet,
  generateKey,
  eventCatalog,
  profiles,
  supportedAlgorithms,
  useNativeCrypto,
} = api;

// Push, poll and management API clients: fetch, streams and Response only, no Node module.
export const { createRemoteJwks, verifySetAsync, verifyAccessTokenAsync, receivePush, nodePushHandler, pushSet, PollClient, SsfClient } =
  createTransport(api, wasm);
export { PushError, SsfError, JwksError } from './transport.mjs';
