'use strict';
// Node entry (CommonJS): the wasm module is compiled synchronously when this file is first
// required, so every function is usable right away. Signature checks use node:crypto.
const wasm = require('./ssf_wasm.cjs');
const { createApi } = require('./api.cjs');
const { createTransport, PushError, SsfError, JwksError } = require('./transport.cjs');
const crypto = require('node:crypto');

const api = createApi(wasm, { crypto });

/** Nothing to wait for in Node; kept so that code written for browsers runs unchanged. */
async function init() {}
function initSync() {}

// Push, poll and management API clients on the same instance (section 13 of the design).
const transport = createTransport(api, wasm);

module.exports = { ...api, ...transport, PushError, SsfError, JwksError, init, initSync };
