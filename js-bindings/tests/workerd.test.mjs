// The package inside workerd (Miniflare): a plain JavaScript Worker imports
// 'shared-signals', is bundled the way wrangler bundles (esbuild, `workerd` export
// condition, .wasm kept as a module), and verifies a SET, with and without nodejs_compat.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { claims, forge, header, keyPair, rootRequire, NOW, ISS } from './helpers.mjs';

const { Miniflare } = rootRequire('miniflare');
const esbuild = rootRequire('esbuild');

const WORKER = `
import { verifySet, decodeSet, eventCatalog, init, useNativeCrypto, SetError, receivePush } from 'shared-signals';

export default {
  async fetch(request, env) {
    await init(); // resolves at once on workerd: the .wasm module is imported statically
    if (new URL(request.url).pathname === '/push') {
      // The transport layer needs nothing Node-only: an RFC 8935 endpoint in one call.
      return receivePush(request, { jwks: env.JWKS, issuer: env.ISS, now: Number(env.NOW), authorizationHeader: 'Bearer edge', onSet() {} });
    }
    const body = await request.text();
    if (new URL(request.url).pathname === '/decode') {
      return Response.json({
        events: decodeSet(body).events.map((e) => e.name),
        catalog: eventCatalog().length,
        native: useNativeCrypto(true),
      });
    }
    try {
      const set = verifySet(body, { jwks: env.JWKS, issuer: env.ISS, now: Number(env.NOW) });
      return Response.json({ subject: set.subject, events: set.events.map((e) => e.title) }, { status: 202 });
    } catch (e) {
      if (!(e instanceof SetError)) return new Response(String(e && e.stack), { status: 500 });
      return Response.json({ err: e.code, reason: e.reason, description: e.message }, { status: 400 });
    }
  },
};
`;

const dir = fs.mkdtempSync(path.join(process.cwd(), 'workerd-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function bundle() {
  fs.writeFileSync(path.join(dir, 'worker.mjs'), WORKER);
  await esbuild.build({
    entryPoints: [path.join(dir, 'worker.mjs')],
    outdir: path.join(dir, 'out'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    loader: { '.wasm': 'copy' },
    logLevel: 'silent',
  });
  const out = path.join(dir, 'out');
  assert.ok(fs.readdirSync(out).some((f) => f.endsWith('.wasm')), 'the .wasm file is kept as a module');
  return path.join(out, 'worker.js');
}

const key = keyPair('ES256', { kid: 'edge' });
const rsa = keyPair('RS256', { kid: 'edge-rsa' });
const jwks = JSON.stringify({ keys: [key.publicJwk, rsa.publicJwk] });

for (const flags of [[], ['nodejs_compat']]) {
  test(`a Worker verifies a pushed SET (compatibility flags: ${flags.join(', ') || 'none'})`, async () => {
    const scriptPath = await bundle();
    const mf = new Miniflare({
      modules: true,
      scriptPath,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2025-09-01',
      compatibilityFlags: flags,
      bindings: { JWKS: jwks, ISS, NOW: String(NOW) },
      cf: false,
    });
    try {
      const push = (body, p = '/') => mf.dispatchFetch(`http://localhost${p}`, { method: 'POST', body });
      for (const k of [key, rsa]) {
        const ok = await push(forge(header(k), claims(), k));
        assert.equal(ok.status, 202, await ok.clone().text());
        assert.deepEqual(await ok.json(), { subject: claims().sub_id, events: ['Session Revoked'] });
      }
      const wrong = await push(forge(header(key), claims({ iss: 'https://evil.example/' }), key));
      assert.equal(wrong.status, 400);
      assert.deepEqual((({ err, reason }) => ({ err, reason }))(await wrong.json()), { err: 'invalid_issuer', reason: 'wrong_issuer' });
      const forged = await push(forge(header(key), claims(), keyPair('ES256')));
      assert.equal(forged.status, 400);
      assert.equal((await forged.json()).reason, 'bad_signature');
      const none = await push(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`);
      assert.deepEqual((({ err, reason }) => ({ err, reason }))(await none.json()), { err: 'invalid_key', reason: 'alg_none' });
      const pushed = (body, auth = 'Bearer edge') => mf.dispatchFetch('http://localhost/push', {
        method: 'POST', body, headers: { authorization: auth, 'content-type': 'application/secevent+jwt' },
      });
      assert.equal((await pushed(forge(header(key), claims(), key))).status, 202);
      const refused = await pushed(forge(header(key), claims(), keyPair('ES256')));
      assert.equal(refused.status, 400);
      assert.equal((await refused.json()).err, 'invalid_key');
      assert.equal((await pushed(forge(header(key), claims(), key), 'Bearer other')).status, 401);
      const decoded = await push(forge(header(key), claims(), key), '/decode');
      const d = await decoded.json();
      assert.deepEqual(d.events, ['session-revoked']);
      assert.ok(d.catalog > 20);
      // With nodejs_compat, workerd's node:crypto does the arithmetic; without, the wasm.
      assert.equal(d.native, flags.includes('nodejs_compat'));
    } finally {
      await mf.dispose();
    }
  });
}
