// OAuth 2.0 JWT access tokens (RFC 9068, DESIGN section 11) on the management and poll
// APIs, over HTTP against the built worker: each broken rule is a 401 with
// `WWW-Authenticate: Bearer error="invalid_token"`, a missing scope a 403, a token for one
// receiver never reaches another's streams, and static SSF_TOKENS keep working beside it.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startWorker, Upstream, JwksServer, ALICE, jose } from './harness.mjs';

const AS = 'https://as.example.com';
const AUD = 'https://ssf.example.com';
const SCOPE = 'ssf:manage';

/** An authorization server: a key pair and a way to sign access tokens. */
async function authorizationServer(alg = 'ES256') {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const kid = `as-${crypto.randomBytes(4).toString('hex')}`;
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey,
    publicJwk,
    jwks: { keys: [publicJwk] },
    /** An access token; `claims` and `header` override the defaults (undefined drops). */
    async token({ claims = {}, header = {} } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: AS, aud: AUD, exp: now + 300, iat: now, nbf: now, sub: 'user-1',
        client_id: 'receiver-b', jti: crypto.randomUUID(), scope: `openid ${SCOPE}`, ...claims,
      };
      const head = { alg, kid, typ: 'at+jwt', ...header };
      for (const o of [payload, head]) for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
      return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(head)
        .sign(privateKey);
    },
  };
}

function unsigned(header, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64(header)}.${b64(claims)}`;
}

function assertInvalidToken(r, what) {
  assert.equal(r.status, 401, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"', what);
  assert.equal(r.json?.err, 'authentication_failed', what);
}

let as;
let w;
let up;
before(async () => {
  as = await authorizationServer();
  up = await Upstream.create();
  w = await startWorker({
    vars: { SSF_OAUTH: JSON.stringify({ issuer: AS, audience: AUD, jwks: as.jwks, scope: SCOPE }) },
  });
});
after(async () => {
  await w?.stop();
});

describe('access tokens', () => {
  test('a valid token lists and creates the receiver\'s streams', async () => {
    const token = await as.token();
    const created = await w.createStream({ source: up.source() }, token);
    const list = await w.get('/ssf/streams', { token });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json.some((s) => s.stream_id === created.stream_id));
    const polled = await w.poll(created, { returnImmediately: true }, token);
    assert.equal(polled.status, 200, polled.text);
    // The receiver is the token's client_id, whichever token names it.
    const again = await w.get(`/ssf/streams?stream_id=${created.stream_id}`, { token: await as.token() });
    assert.equal(again.status, 200, again.text);
  });

  test('every broken rule is 401 invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = await authorizationServer();
    const claims = { iss: AS, aud: AUD, exp: now + 300, client_id: 'receiver-b', scope: SCOPE };
    // HS256 keyed with the bytes of the authorization server's public key (the key
    // confusion attack), both as its JWK text and as PEM.
    const pem = crypto.createPublicKey({ key: as.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hmac = async (secret) => new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: as.kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret));
    const cases = {
      expired: await as.token({ claims: { exp: now - 3600, iat: now - 7200, nbf: now - 7200 } }),
      'nbf in the future': await as.token({ claims: { nbf: now + 3600 } }),
      'iat in the future': await as.token({ claims: { iat: now + 3600 } }),
      'no exp': await as.token({ claims: { exp: undefined } }),
      'wrong iss': await as.token({ claims: { iss: 'https://evil.example.com' } }),
      'wrong aud': await as.token({ claims: { aud: 'https://elsewhere.example.com' } }),
      'typ JWT': await as.token({ header: { typ: 'JWT' } }),
      'typ secevent+jwt': await as.token({ header: { typ: 'secevent+jwt' } }),
      'no typ': await as.token({ header: { typ: undefined } }),
      'alg none': `${unsigned({ alg: 'none', kid: as.kid, typ: 'at+jwt' }, claims)}.`,
      'HS256 with the public JWK': await hmac(JSON.stringify(as.publicJwk)),
      'HS256 with the public PEM': await hmac(pem),
      'unknown kid': await as.token({ header: { kid: 'nobody' } }),
      'another key under the kid': await other.token({ header: { kid: as.kid } }),
      'no client_id': await as.token({ claims: { client_id: undefined } }),
      'not a JWT': 'definitely-not-a-token',
    };
    for (const [what, token] of Object.entries(cases)) {
      assertInvalidToken(await w.get('/ssf/streams', { token }), what);
    }
    // The poll endpoint answers the same way.
    assertInvalidToken(await w.post(`/ssf/poll/${'0'.repeat(32)}`, { token: cases.expired, body: {} }), 'poll');
  });

  test('a token without the configured scope is 403 insufficient_scope', async () => {
    for (const scope of [undefined, 'openid', 'ssf:manage:read', `${SCOPE}x`]) {
      const r = await w.get('/ssf/streams', { token: await as.token({ claims: { scope } }) });
      assert.equal(r.status, 403, `${scope}: ${r.text}`);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer error="insufficient_scope"');
      assert.equal(r.json.err, 'access_denied');
    }
  });

  test('static SSF_TOKENS keep working beside SSF_OAUTH', async () => {
    const r = await w.get('/ssf/streams', { token: ALICE });
    assert.equal(r.status, 200, r.text);
    const bad = await w.get('/ssf/streams', { token: 'token-nobody' });
    assertInvalidToken(bad, 'unknown static token');
  });

  test('an access token for receiver B never sees receiver A\'s streams', async () => {
    const tokenA = await as.token({ claims: { client_id: 'receiver-a' } });
    const tokenB = await as.token({ claims: { client_id: 'receiver-b2' } });
    const mine = await w.createStream({ source: up.source() }, tokenA);
    const id = mine.stream_id;
    const subject = { format: 'opaque', id: 'x' };
    const checks = [
      w.get(`/ssf/streams?stream_id=${id}`, { token: tokenB }),
      w.request('PATCH', '/ssf/streams', { token: tokenB, body: { stream_id: id, description: 'x' } }),
      w.request('PUT', '/ssf/streams', { token: tokenB, body: { stream_id: id } }),
      w.request('DELETE', `/ssf/streams?stream_id=${id}`, { token: tokenB }),
      w.get(`/ssf/status?stream_id=${id}`, { token: tokenB }),
      w.post('/ssf/status', { token: tokenB, body: { stream_id: id, status: 'paused' } }),
      w.post('/ssf/subjects:add', { token: tokenB, body: { stream_id: id, subject } }),
      w.post('/ssf/subjects:remove', { token: tokenB, body: { stream_id: id, subject } }),
      w.post('/ssf/verify', { token: tokenB, body: { stream_id: id } }),
      w.get(`/ssf/queue?stream_id=${id}`, { token: tokenB }),
      w.post(`/ssf/poll/${id}`, { token: tokenB, body: { returnImmediately: true } }),
    ];
    for (const r of await Promise.all(checks)) assert.equal(r.status, 404, r.text);
    const listB = await w.get('/ssf/streams', { token: tokenB });
    assert.equal(listB.status, 200);
    assert.ok(!listB.json.some((s) => s.stream_id === id));
    // A static token of another receiver does not see it either; A's stream is unharmed.
    assert.equal((await w.get(`/ssf/streams?stream_id=${id}`, { token: ALICE })).status, 404);
    const still = await w.get(`/ssf/status?stream_id=${id}`, { token: tokenA });
    assert.equal(still.json.status, 'enabled');
  });
});

describe('configuration', () => {
  test('discovery lists urn:ietf:rfc:6749 only when SSF_OAUTH is set', async () => {
    const schemes = (await w.discovery()).authorization_schemes.map((s) => s.spec_urn);
    assert.ok(schemes.includes('urn:ietf:rfc:6749'), schemes.join());
    const plain = await startWorker();
    try {
      const none = (await plain.discovery()).authorization_schemes.map((s) => s.spec_urn);
      assert.ok(!none.includes('urn:ietf:rfc:6749'), none.join());
      // Without SSF_OAUTH an access token is just an unknown bearer token.
      const r = await plain.get('/ssf/streams', { token: await as.token() });
      assert.equal(r.status, 401);
    } finally {
      await plain.stop();
    }
  });

  test('receiver_claim sub names the receiver by sub', async () => {
    const w2 = await startWorker({
      vars: { SSF_OAUTH: JSON.stringify({ issuer: AS, audience: AUD, jwks: as.jwks, receiver_claim: 'sub' }) },
    });
    try {
      const created = await w2.createStream({ source: up.source() }, await as.token({ claims: { sub: 'svc-1', client_id: 'c-1' } }));
      const sameSub = await as.token({ claims: { sub: 'svc-1', client_id: 'c-2', scope: undefined } });
      assert.equal((await w2.get(`/ssf/streams?stream_id=${created.stream_id}`, { token: sameSub })).status, 200);
      const otherSub = await as.token({ claims: { sub: 'svc-2', client_id: 'c-1' } });
      assert.equal((await w2.get(`/ssf/streams?stream_id=${created.stream_id}`, { token: otherSub })).status, 404);
    } finally {
      await w2.stop();
    }
  });

  test('a misconfigured SSF_OAUTH fails closed and static tokens still work', async () => {
    for (const bad of [
      '{not json',
      JSON.stringify({ issuer: AS, jwks: as.jwks }),
      JSON.stringify({ issuer: AS, audience: AUD, jwks: as.jwks, receiver_claim: 'email' }),
      JSON.stringify({ issuer: AS, audience: AUD, jwks: as.jwks, scopes: SCOPE }),
      JSON.stringify({ issuer: AS, audience: AUD, jwks_uri: 'http://as.example.com/jwks' }),
      JSON.stringify({ issuer: AS, audience: AUD, jwks: as.jwks, algorithms: ['HS256'] }),
    ]) {
      const w2 = await startWorker({ vars: { SSF_OAUTH: bad } });
      try {
        const r = await w2.get('/ssf/streams', { token: await as.token() });
        assert.equal(r.status, 500, `${bad}: ${r.status} ${r.text}`);
        assert.doesNotMatch(r.text, /as-|"kty"/);
        assert.equal((await w2.get('/ssf/streams', { token: ALICE })).status, 200, bad);
        const schemes = (await w2.discovery()).authorization_schemes.map((s) => s.spec_urn);
        assert.ok(!schemes.includes('urn:ietf:rfc:6749'), bad);
      } finally {
        await w2.stop();
      }
    }
  });

  test('jwks_uri: fetched once, cached, refetched once for an unknown kid (rate limited)', async () => {
    const server = await JwksServer.start();
    const keys = { jwks: () => ({ keys: [as.publicJwk] }) };
    const url = server.serve(keys);
    const w2 = await startWorker({
      vars: {
        SSF_OAUTH: JSON.stringify({ issuer: AS, audience: AUD, jwks_uri: url }),
        SSF_JWKS_REFETCH_SECONDS: 3600,
      },
    });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await w2.get('/ssf/streams', { token: await as.token() })).status, 200);
      }
      assert.equal(server.count(url), 1, 'one fetch, then the cache');
      // A key the authorization server added since: one refetch finds it.
      const rotated = await authorizationServer();
      keys.jwks = () => ({ keys: [as.publicJwk, rotated.publicJwk] });
      assert.equal((await w2.get('/ssf/streams', { token: await rotated.token() })).status, 200);
      assert.equal(server.count(url), 2);
      // A flood of made-up kids: the refetch gate is closed, the upstream is not hit.
      for (let i = 0; i < 5; i++) {
        assertInvalidToken(await w2.get('/ssf/streams', { token: await as.token({ header: { kid: `x-${i}` } }) }), 'kid flood');
      }
      assert.equal(server.count(url), 2, 'no refetch while the gate is closed');
    } finally {
      await w2.stop();
      await server.stop();
    }
  });
});
