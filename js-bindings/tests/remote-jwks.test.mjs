// createRemoteJwks + verifySetAsync against a local JWKS server: caching, key rotation
// (one refetch on an unknown kid), the cooldown, cache expiry, and every failure code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRemoteJwks, verifySetAsync, verifySet, SetError, JwksError } from 'shared-signals';
import { claims, forge, header, keyPair, NOW, ISS } from './helpers.mjs';

let server;
let base;
const docs = new Map(); // path -> () => {status, body, delayMs, headers}
const hits = new Map();

before(async () => {
  server = http.createServer(async (req, res) => {
    hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
    const doc = docs.get(req.url);
    const a = doc ? doc() : { status: 404, body: '' };
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
    res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
});

let n = 0;
function serve(fn) {
  const p = `/jwks-${++n}.json`;
  docs.set(p, fn);
  return { url: base + p, count: () => hits.get(p) ?? 0 };
}
const sign = (k) => forge(header(k), claims(), k);
const opts = (jwks) => ({ jwks, issuer: ISS, now: NOW });

test('keys are fetched once and cached across verifications', async () => {
  const k = keyPair('ES256', { kid: 'a' });
  const doc = serve(() => ({ body: k.jwks }));
  const jwks = createRemoteJwks(doc.url);
  assert.equal(jwks.jwks, null);
  const results = await Promise.all([1, 2, 3].map(() => verifySetAsync(sign(k), opts(jwks))));
  for (const r of results) assert.equal(r.claims.iss, ISS);
  await verifySetAsync(sign(k), opts(jwks));
  assert.equal(doc.count(), 1, 'concurrent first verifications share one fetch');
  assert.deepEqual(jwks.jwks, k.jwks);
  // Plain key sets still work through verifySetAsync.
  assert.equal((await verifySetAsync(sign(k), opts(k.jwks))).claims.iss, ISS);
});

test('key rotation: an unknown kid refetches once; within the cooldown it does not', async () => {
  const k1 = keyPair('ES256', { kid: 'k1' });
  const k2 = keyPair('ES256', { kid: 'k2' });
  const k3 = keyPair('RS256', { kid: 'k3' });
  let current = { keys: [k1.publicJwk] };
  const doc = serve(() => ({ body: current }));
  const jwks = createRemoteJwks(doc.url, { cooldownMs: 0 });
  await verifySetAsync(sign(k1), opts(jwks));
  assert.equal(doc.count(), 1);
  current = { keys: [k1.publicJwk, k2.publicJwk] }; // the transmitter rotates
  assert.equal((await verifySetAsync(sign(k2), opts(jwks))).header.kid, 'k2');
  assert.equal(doc.count(), 2, 'one refetch for the new kid');
  await verifySetAsync(sign(k2), opts(jwks));
  assert.equal(doc.count(), 2, 'the new key is cached');

  // With a cooldown, a flood of unknown kids costs at most one fetch per cooldown.
  const guarded = createRemoteJwks(doc.url, { cooldownMs: 60_000 });
  await verifySetAsync(sign(k1), opts(guarded));
  const before = doc.count();
  current = { keys: [k1.publicJwk, k2.publicJwk, k3.publicJwk] };
  for (let i = 0; i < 5; i++) {
    await assert.rejects(verifySetAsync(sign(k3), opts(guarded)), (e) => e instanceof SetError && e.code === 'invalid_key' && e.reason === 'unknown_kid');
  }
  assert.equal(doc.count(), before, 'no refetch within the cooldown');
  await guarded.reload();
  assert.equal((await verifySetAsync(sign(k3), opts(guarded))).header.kid, 'k3');
  assert.equal(doc.count(), before + 1);
});

test('an unknown kid after the refetch is invalid_key; a bad signature does not refetch', async () => {
  const k = keyPair('ES256', { kid: 'x' });
  const doc = serve(() => ({ body: k.jwks }));
  const jwks = createRemoteJwks(doc.url, { cooldownMs: 0 });
  await assert.rejects(verifySetAsync(sign(keyPair('ES256', { kid: 'y' })), opts(jwks)), (e) => e.reason === 'unknown_kid');
  assert.equal(doc.count(), 2, 'first fetch and one refetch');
  await assert.rejects(verifySetAsync(forge(header(k), claims(), keyPair('ES256')), opts(jwks)), (e) => e.reason === 'bad_signature');
  assert.equal(doc.count(), 2);
});

test('cacheMaxAgeMs: an old key set is fetched again (a removed key stops working)', async () => {
  const k = keyPair('ES256', { kid: 'old' });
  let current = k.jwks;
  const doc = serve(() => ({ body: current }));
  const jwks = createRemoteJwks(doc.url, { cacheMaxAgeMs: 0, cooldownMs: 60_000 });
  await verifySetAsync(sign(k), opts(jwks));
  current = { keys: [] };
  await assert.rejects(verifySetAsync(sign(k), opts(jwks)), SetError);
  assert.equal(doc.count(), 2);
});

test('failures are JwksErrors with stable codes', async () => {
  const k = keyPair('ES256');
  const cases = [
    ['jwks_http_error', serve(() => ({ status: 500, body: k.jwks }))],
    ['jwks_http_error', serve(() => ({ status: 302, body: '', headers: { location: `${base}/jwks-1.json` } }))],
    ['jwks_invalid', serve(() => ({ body: 'not json' }))],
    ['jwks_invalid', serve(() => ({ body: { keys: 'nope' } }))],
    ['jwks_too_large', serve(() => ({ body: { keys: [], pad: 'x'.repeat(300 * 1024) } }))],
    ['jwks_timeout', serve(() => ({ body: k.jwks, delayMs: 500 }))],
  ];
  for (const [code, doc] of cases) {
    const jwks = createRemoteJwks(doc.url, { timeoutMs: 100 });
    await assert.rejects(verifySetAsync(sign(k), opts(jwks)), (e) => e instanceof JwksError && e.code === code, code);
  }
  const down = createRemoteJwks('http://127.0.0.1:9/jwks.json');
  await assert.rejects(down.reload(), (e) => e instanceof JwksError && e.code === 'jwks_network_error');
});

test('fetch is injectable; options and URLs are checked', async () => {
  const k = keyPair('ES256', { kid: 'inj' });
  const urls = [];
  const jwks = createRemoteJwks('https://idp.example.com/jwks.json', {
    fetch: async (url, init) => {
      urls.push(url);
      assert.equal(init.redirect, 'manual');
      return Response.json(k.jwks);
    },
  });
  await verifySetAsync(sign(k), opts(jwks));
  assert.deepEqual(urls, ['https://idp.example.com/jwks.json']);
  assert.throws(() => createRemoteJwks('ftp://x/'), TypeError);
  assert.throws(() => createRemoteJwks('https://x/', { cooldownMs: -1 }), TypeError);
  assert.throws(() => verifySet(sign(k), { jwks: 42 }), TypeError);
});
