// Issue 12 in the worker: a pushed SET without kid whose source JWKS holds several keys
// that fit its alg is checked under each of them in order (item 5), and ES512 is verified
// by workerd's WebCrypto (item 4).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Miniflare } from 'miniflare';
import { startWorker, Upstream, JwksServer, jose } from './harness.mjs';

let w;
let jwksServer;
before(async () => {
  w = await startWorker();
  jwksServer = await JwksServer.start();
});
after(async () => {
  await w?.stop();
  await jwksServer?.stop();
});

describe('a SET without kid, several keys that fit', () => {
  test('signed by the second key of the source JWKS: 202, and polled unchanged', async () => {
    const up = await Upstream.create({ alg: 'ES256' });
    const second = await up.addKey('ES256');
    const cfg = await w.createStream({ source: up.source() });
    const set = await up.sign({ key: second, header: { kid: undefined } });
    assert.equal(jose.decodeProtectedHeader(set).kid, undefined);
    const r = await w.push(cfg, set);
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(Object.values(await w.drain(cfg)), [set]);
  });

  test('the same through a jwks_uri source', async () => {
    const up = await Upstream.create({ alg: 'RS256' });
    const second = await up.addKey('RS256');
    const uri = jwksServer.serve(up);
    const cfg = await w.createStream({ source: up.source({ jwksUri: uri }) });
    const r = await w.push(cfg, await up.sign({ key: second, header: { kid: undefined } }));
    assert.equal(r.status, 202, r.text);
  });

  test('signed by a key the source does not have: 400 invalid_key', async () => {
    const up = await Upstream.create({ alg: 'ES256' });
    await up.addKey('ES256');
    const cfg = await w.createStream({ source: up.source() });
    const stranger = await Upstream.create({ alg: 'ES256', issuer: up.issuer, audience: up.audience });
    const r = await w.push(cfg, await stranger.sign({ header: { kid: undefined } }));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.err, 'invalid_key');
  });

  test('more candidates than the limit: 400 invalid_key', async () => {
    const up = await Upstream.create({ alg: 'ES256' });
    for (let i = 0; i < 4; i++) await up.addKey('ES256');
    const cfg = await w.createStream({ source: up.source() });
    const r = await w.push(cfg, await up.sign({ header: { kid: undefined } }));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.err, 'invalid_key');
    assert.match(r.json.description, /kid/);
  });
});

describe('ES512', () => {
  test('workerd WebCrypto verifies ECDSA P-521 with the parameters the worker uses', async () => {
    // The worker falls back to core's own provider when WebCrypto cannot answer, so a 202
    // alone would not show that WebCrypto did the check: ask workerd directly.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const data = Buffer.from('eyJhbGciOiJFUzUxMiJ9.e30');
    const sig = crypto.sign('sha512', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    assert.equal(sig.length, 132);
    const bad = Buffer.from(sig);
    bad[131] ^= 1;
    const jwk = publicKey.export({ format: 'jwk' });
    const script = `export default {
      async fetch(request) {
        const { jwk, data, sigs } = await request.json();
        const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const key = await crypto.subtle.importKey('jwk', jwk,
          { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify']);
        const out = [];
        for (const s of sigs) {
          out.push(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-512' }, key,
            bytes(s), bytes(data)));
        }
        return Response.json(out);
      },
    };`;
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
    try {
      const res = await mf.dispatchFetch('http://test/', {
        method: 'POST',
        body: JSON.stringify({
          jwk,
          data: data.toString('base64'),
          sigs: [sig.toString('base64'), bad.toString('base64')],
        }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), [true, false]);
    } finally {
      await mf.dispose();
    }
  });

  test('a jose-signed ES512 SET is accepted; restricting algorithms refuses it', async () => {
    const up = await Upstream.create({ alg: 'ES512' });
    const cfg = await w.createStream({ source: up.source() });
    const set = await up.sign();
    assert.equal((await w.push(cfg, set)).status, 202);
    const only256 = await w.createStream({ source: up.source({ algorithms: ['ES256'] }) });
    const r = await w.push(only256, await up.sign());
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.err, 'invalid_key');
  });
});
