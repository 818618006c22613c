// Loading the installed package: require and import in Node (synchronous), the web entry
// with its explicit init, and what the tarball holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as esm from 'shared-signals';
import { TARBALL } from './helpers.mjs';

const require = createRequire(import.meta.url);
const API = ['decodeSet', 'verifySet', 'signSet', 'generateKey', 'eventCatalog', 'profiles', 'supportedAlgorithms', 'useNativeCrypto', 'init', 'initSync'];

function run(args, opts = {}) {
  return execFileSync(process.execPath, args, { encoding: 'utf8', cwd: process.cwd(), ...opts });
}

test('require() loads synchronously and works at once', () => {
  const out = run([
    '-e',
    `const s = require('shared-signals');
     const k = s.generateKey('ES256');
     const t = s.signSet({ iss: 'https://a.example/', sub_id: { format: 'opaque', id: 'x' },
       events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } }, { jwk: k.privateJwk });
     process.stdout.write(s.verifySet(t, { jwks: { keys: [k.publicJwk] } }).claims.iss);`,
  ]);
  assert.equal(out, 'https://a.example/');
});

test('import loads synchronously (no await) in an ES module', () => {
  const out = run([
    '--input-type=module',
    '-e',
    `import { decodeSet, SetError } from 'shared-signals';
     try { decodeSet('nope'); } catch (e) { process.stdout.write(String(e instanceof SetError) + ' ' + e.reason); }`,
  ]);
  assert.equal(out, 'true malformed_jws');
});

test('require and import share one instance (one SetError class)', () => {
  const cjs = require('shared-signals');
  assert.equal(cjs.SetError, esm.SetError);
  assert.equal(cjs.verifySet, esm.verifySet);
  for (const name of API) {
    assert.equal(typeof esm[name], 'function', name);
    assert.equal(typeof cjs[name], 'function', name);
  }
});

test('init() resolves at once in Node, so browser-style code runs unchanged', async () => {
  await esm.init();
  esm.initSync();
  assert.ok(esm.eventCatalog().length > 0);
});

test('the web entry needs init(), then works (wasm bytes or default location)', async () => {
  const web = await import('shared-signals/web');
  assert.throws(() => web.decodeSet('a.b.c'), /await init\(\)/);
  await web.init();
  await web.init(); // idempotent
  assert.throws(() => web.decodeSet('a.b.c'), (e) => e instanceof web.SetError);
  const k = web.generateKey('ES256');
  const t = web.signSet(
    { iss: 'https://a.example/', sub_id: { format: 'opaque', id: 'x' }, events: { 'urn:example:event': {} } },
    { jwk: k.privateJwk },
  );
  assert.equal(web.verifySet(t, { jwks: k.publicJwk }).claims.iss, 'https://a.example/');
});

test('the web entry loads from bytes with initSync', () => {
  const out = run([
    '--input-type=module',
    '-e',
    `import { initSync, eventCatalog } from 'shared-signals/web';
     import fs from 'node:fs';
     import { createRequire } from 'node:module';
     const require = createRequire(import.meta.url);
     const dir = require('path').dirname(require.resolve('shared-signals/package.json'));
     initSync(fs.readFileSync(dir + '/dist/ssf_wasm_bg.wasm'));
     process.stdout.write(String(eventCatalog().length > 0));`,
  ]);
  assert.equal(out, 'true');
});

test('the tarball holds the README, types, code and the optimised wasm, nothing else', () => {
  const list = execFileSync('tar', ['-tzf', TARBALL], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(list, [
    'package/README.md',
    'package/bin/shared-signals.cjs',
    'package/dist/api.cjs',
    'package/dist/api.mjs',
    'package/dist/node.cjs',
    'package/dist/node.mjs',
    'package/dist/ssf_wasm.cjs',
    'package/dist/ssf_wasm.mjs',
    'package/dist/ssf_wasm_bg.wasm',
    'package/dist/transport.cjs',
    'package/dist/transport.mjs',
    'package/dist/web.mjs',
    'package/dist/workerd.mjs',
    'package/index.d.mts',
    'package/index.d.ts',
    'package/package.json',
  ]);
  const dir = path.dirname(require.resolve('shared-signals/package.json'));
  const wasm = fs.readFileSync(path.join(dir, 'dist/ssf_wasm_bg.wasm'));
  assert.ok(WebAssembly.validate(wasm));
  // wasm-opt ran: no name section or producers left behind.
  const names = WebAssembly.Module.customSections(new WebAssembly.Module(wasm), 'name');
  assert.equal(names.length, 0);
  const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  assert.match(readme, /verifySet/);
});
