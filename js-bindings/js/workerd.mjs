// Cloudflare Workers entry: wrangler (and workerd) import a .wasm file as a compiled
// WebAssembly.Module, so the package is ready on import and `init()` resolves at once.
import wasmModule from './ssf_wasm_bg.wasm';
import { initSync } from './web.mjs';

initSync(wasmModule);

export * from './web.mjs';
