// verifyAccessToken (RFC 9068 through core's access-token profile, via wasm) with tokens
// signed by `jose`: a valid one, and one per broken rule, each with its stable code and
// reason; the remote key source through verifyAccessTokenAsync.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import {
  verifyAccessToken, verifyAccessTokenAsync, createRemoteJwks, useNativeCrypto,
  AccessTokenError, SetError,
} from 'shared-signals';

const AS = 'https://as.example.com';
const AUD = 'https://api.example.com';
const NOW = 1_750_000_000;

let es;
let rsa;
let jwks;

async function issuer(alg, kid) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

before(async () => {
  es = await issuer('ES256', 'es-1');
  rsa = await issuer('RS256', 'rsa-1');
  jwks = { keys: [es.publicJwk, rsa.publicJwk] };
});

/** A token of `key`; `claims` / `header` override the defaults (undefined removes). */
function token(key, { claims = {}, header = {} } = {}) {
  const payload = {
    iss: AS, aud: AUD, exp: NOW + 300, iat: NOW, nbf: NOW, sub: 'user-1',
    client_id: 'client-1', jti: 'at-1', scope: 'openid ssf', ...claims,
  };
  const head = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header };
  for (const o of [payload, head]) for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
  return new jose.SignJWT(payload).setProtectedHeader(head).sign(key.privateKey);
}

const opts = (extra = {}) => ({ jwks, issuer: AS, audience: AUD, now: NOW, ...extra });

function refused(t, o, code, reason) {
  assert.throws(() => verifyAccessToken(t, o), (e) => {
    assert.ok(e instanceof AccessTokenError, `${e}`);
    assert.equal(e.name, 'AccessTokenError');
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    assert.equal(e.status, code === 'invalid_token' ? 401 : 403);
    return true;
  });
}

for (const native of [true, false]) {
  test(`valid tokens verify (${native ? 'native' : 'wasm'} crypto)`, async () => {
    useNativeCrypto(native);
    try {
      for (const key of [es, rsa]) {
        const at = verifyAccessToken(await token(key), opts({ scope: 'ssf' }));
        assert.equal(at.claims.client_id, 'client-1');
        assert.equal(at.header.typ, 'at+jwt');
        assert.deepEqual(at.scopes, ['openid', 'ssf']);
      }
    } finally {
      useNativeCrypto(true);
    }
  });
}

test('each broken rule has its code and reason', async () => {
  const other = await issuer('ES256', 'es-1');
  const cases = [
    ['expired', { claims: { exp: NOW - 3600 } }, 'expired'],
    ['not yet valid', { claims: { nbf: NOW + 3600 } }, 'not_yet_valid'],
    ['issued in the future', { claims: { iat: NOW + 3600 } }, 'iat_in_future'],
    ['no exp', { claims: { exp: undefined } }, 'missing_claim'],
    ['wrong iss', { claims: { iss: 'https://evil.example.com' } }, 'wrong_issuer'],
    ['trailing slash iss', { claims: { iss: `${AS}/` } }, 'wrong_issuer'],
    ['wrong aud', { claims: { aud: 'https://other.example.com' } }, 'wrong_audience'],
    ['typ JWT', { header: { typ: 'JWT' } }, 'access_token_typ'],
    ['typ secevent+jwt', { header: { typ: 'secevent+jwt' } }, 'access_token_typ'],
    ['no typ', { header: { typ: undefined } }, 'access_token_typ'],
    ['unknown kid', { header: { kid: 'nobody' } }, 'unknown_kid'],
  ];
  for (const [what, change, reason] of cases) {
    refused(await token(es, change), opts(), 'invalid_token', reason, what);
  }
  // Another key under a known kid, and a tampered payload.
  refused(await token(other), opts(), 'invalid_token', 'bad_signature');
  const good = await token(es);
  const [h, , s] = good.split('.');
  const evil = Buffer.from(JSON.stringify({ iss: AS, aud: AUD, exp: NOW + 300, client_id: 'admin' })).toString('base64url');
  refused(`${h}.${evil}.${s}`, opts(), 'invalid_token', 'bad_signature');
  refused('not-a-token', opts(), 'invalid_token', 'malformed_jws');
});

test('alg none and HS256 keyed with the public key are refused', async () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { iss: AS, aud: AUD, exp: NOW + 300, client_id: 'client-1' };
  for (const alg of ['none', 'None']) {
    refused(`${b64({ alg, kid: 'rsa-1', typ: 'at+jwt' })}.${b64(claims)}.`, opts(), 'invalid_token', 'alg_none');
  }
  const pem = crypto.createPublicKey({ key: rsa.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  for (const secret of [pem, JSON.stringify(rsa.publicJwk)]) {
    const t = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret));
    refused(t, opts(), 'invalid_token', 'alg_hmac');
  }
  // The caller's allow-list is honoured too.
  refused(await token(es), opts({ algorithms: ['RS256'] }), 'invalid_token', 'alg_not_allowed');
});

test('a missing scope is insufficient_scope (403)', async () => {
  const t = await token(es);
  assert.ok(verifyAccessToken(t, opts({ scope: 'ssf openid' })));
  for (const scope of ['admin', 'ss', 'ssf admin']) refused(t, opts({ scope }), 'insufficient_scope', 'insufficient_scope');
  refused(await token(es, { claims: { scope: undefined } }), opts({ scope: 'ssf' }), 'insufficient_scope', 'insufficient_scope');
});

test('clock skew is an option', async () => {
  const t = await token(es, { claims: { exp: NOW - 30, iat: NOW - 120, nbf: NOW - 120 } });
  refused(t, opts({ clockSkew: 0 }), 'invalid_token', 'expired');
  assert.ok(verifyAccessToken(t, opts()), 'the default skew (60 s) covers 30 s');
  assert.ok(verifyAccessToken(t, opts({ now: new Date((NOW - 60) * 1000), clockSkew: 0 })));
  const early = await token(es, { claims: { nbf: NOW + 30 } });
  assert.ok(verifyAccessToken(early, opts()));
  refused(early, opts({ clockSkew: 10 }), 'invalid_token', 'not_yet_valid');
});

test('bad arguments are TypeErrors, a bad key set a SetError', async () => {
  const t = await token(es);
  assert.throws(() => verifyAccessToken(t), TypeError);
  assert.throws(() => verifyAccessToken(t, { jwks }), TypeError);
  assert.throws(() => verifyAccessToken(t, { jwks, issuer: AS }), TypeError);
  assert.throws(() => verifyAccessToken(t, { issuer: AS, audience: AUD }), TypeError);
  assert.throws(() => verifyAccessToken(t, opts({ scope: 7 })), TypeError);
  assert.throws(() => verifyAccessToken(42, opts()), TypeError);
  // A key set that cannot be read is the caller's problem, not the token's.
  assert.throws(() => verifyAccessToken(t, opts({ jwks: { keys: 'nope' } })), (e) => e instanceof SetError && e.reason === 'invalid_jwk');
  // A symmetric key under the kid is never used to verify.
  refused(t, opts({ jwks: { keys: [{ kty: 'oct', kid: 'es-1', k: 'c2VjcmV0' }] } }), 'invalid_token', 'invalid_jwk');
});

test('verifyAccessTokenAsync with a remote key source refetches for a rotated key', async () => {
  let doc = { keys: [es.publicJwk] };
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const remote = createRemoteJwks(`http://127.0.0.1:${server.address().port}/jwks`, { cooldownMs: 0 });
    const o = { ...opts(), jwks: remote };
    assert.equal((await verifyAccessTokenAsync(await token(es), o)).claims.client_id, 'client-1');
    assert.equal(hits, 1);
    doc = { keys: [es.publicJwk, rsa.publicJwk] };
    assert.ok(await verifyAccessTokenAsync(await token(rsa), o));
    assert.equal(hits, 2, 'one refetch for the unknown kid');
    await assert.rejects(verifyAccessTokenAsync(await token(es, { claims: { exp: NOW - 3600 } }), o),
      (e) => e instanceof AccessTokenError && e.reason === 'expired');
    // Without a remote source it is verifyAccessToken.
    assert.ok(await verifyAccessTokenAsync(await token(es), opts()));
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
});
