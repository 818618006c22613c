// RFC 8935 push into a stream: the receiver plan's invalid-SET rejections, credentials,
// content type, size, algorithms (jose-signed, all ten), deduplication, stream changes taking
// effect at once on push,
// events_delivered and subject filtering, and the source JWKS cache with its refetch.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startWorker, Upstream, JwksServer, ALICE, EV } from './harness.mjs';

let w;
let jwksServer;
before(async () => {
  // A refetch interval long enough that the rate limit is observable within the test.
  w = await startWorker({ vars: { SSF_JWKS_REFETCH_SECONDS: 3600 } });
  jwksServer = await JwksServer.start();
});
after(async () => {
  await w?.stop();
  await jwksServer?.stop();
});

function assertPushError(r, status, err) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(r.headers.get('content-language'), 'en');
  assert.equal(r.json?.err, err, r.text);
  assert.equal(typeof r.json.description, 'string');
}

async function streamFor(up, extra = {}) {
  return w.createStream({ source: up.source(), ...extra });
}

describe('accepted SETs', () => {
  // Every algorithm the worker accepts: the signature is checked by workerd's WebCrypto
  // (core's own provider for EdDSA and whenever WebCrypto cannot answer), so each needs
  // its own import and verify parameters to be right.
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
    test(`a jose-signed ${alg} SET is accepted, queued and polled unchanged`, async () => {
      const up = await Upstream.create({ alg });
      const cfg = await streamFor(up);
      const set = await up.sign();
      const r = await w.push(cfg, set);
      assert.equal(r.status, 202, r.text);
      assert.equal(r.text, '');
      const [h, p, sig] = (await up.sign()).split('.');
      const flipped = Buffer.from(sig, 'base64url');
      flipped[flipped.length - 1] ^= 0x01;
      assertPushError(await w.push(cfg, `${h}.${p}.${flipped.toString('base64url')}`), 400, 'invalid_key');
      const polled = await w.drain(cfg);
      assert.deepEqual(Object.values(polled), [set]);
    });
  }

  test('a repeated jti is answered 202 and stored once; after its ack, a redelivery is accepted again', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up);
    const set = await up.sign();
    for (let i = 0; i < 3; i++) assert.equal((await w.push(cfg, set)).status, 202);
    const polled = await w.drain(cfg);
    assert.equal(Object.keys(polled).length, 1);
    // Redelivered by the upstream after the backend acknowledged: accepted, not delivered again.
    assert.equal((await w.push(cfg, set)).status, 202);
    assert.deepEqual(await w.drain(cfg), {});
  });

  test('a body with a trailing newline is accepted', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up);
    assert.equal((await w.push(cfg, (await up.sign()) + '\n')).status, 202);
  });
});

describe('receiver plan: invalid SETs are 400 with a JSON err', () => {
  let up;
  let cfg;
  before(async () => {
    up = await Upstream.create();
    cfg = await streamFor(up);
  });

  test('corrupt signature -> invalid_key', async () => {
    const set = await up.sign();
    const [h, p, s] = set.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 0x01;
    assertPushError(await w.push(cfg, `${h}.${p}.${sig.toString('base64url')}`), 400, 'invalid_key');
  });

  test('signed by a key the source does not have (unknown kid) -> invalid_key', async () => {
    const other = await Upstream.create({ issuer: up.issuer, audience: up.audience });
    assertPushError(await w.push(cfg, await other.sign()), 400, 'invalid_key');
  });

  test('right kid, wrong key -> invalid_key', async () => {
    const other = await Upstream.create({ issuer: up.issuer, audience: up.audience, kid: up.keys[0].kid });
    assertPushError(await w.push(cfg, await other.sign()), 400, 'invalid_key');
  });

  test('wrong iss -> invalid_issuer', async () => {
    assertPushError(await w.push(cfg, await up.sign({ claims: { iss: 'https://attacker.example.com' } })), 400, 'invalid_issuer');
  });

  test('wrong aud -> invalid_audience', async () => {
    assertPushError(await w.push(cfg, await up.sign({ claims: { aud: 'https://someone-else.example.com' } })), 400, 'invalid_audience');
  });

  test('profile violations -> invalid_request', async () => {
    const cases = [
      { header: { typ: 'JWT' } },
      { header: { typ: undefined } },
      { claims: { sub: 'user' } },
      { claims: { exp: Math.floor(Date.now() / 1000) + 600 } },
      { claims: { sub_id: undefined } },
      { claims: { jti: undefined } },
      { claims: { events: {} } },
      { claims: { iat: Math.floor(Date.now() / 1000) + 3600 } },
    ];
    for (const c of cases) {
      const r = await w.push(cfg, await up.sign(c));
      assert.equal(r.status, 400, JSON.stringify(c));
      assert.ok(['invalid_request'].includes(r.json.err), `${JSON.stringify(c)}: ${r.text}`);
    }
  });

  test('a disallowed alg (not in source.algorithms) -> invalid_key', async () => {
    const es = await Upstream.create({ alg: 'ES256' });
    const cfg2 = await w.createStream({ source: es.source({ algorithms: ['RS256'] }) });
    assertPushError(await w.push(cfg2, await es.sign()), 400, 'invalid_key');
  });

  test('alg none and HMAC are refused', async () => {
    const payload = Buffer.from(JSON.stringify({ iss: up.issuer, aud: up.audience, jti: 'x', iat: 1, sub_id: { format: 'opaque', id: 'x' }, events: { [EV.sessionRevoked]: {} } })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none","typ":"secevent+jwt"}').toString('base64url')}.${payload}.`;
    const r1 = await w.push(cfg, none);
    assert.equal(r1.status, 400);
    assert.ok(['invalid_key', 'invalid_request'].includes(r1.json.err), r1.text);
    const hs = `${Buffer.from('{"alg":"HS256","typ":"secevent+jwt"}').toString('base64url')}.${payload}.${crypto.createHmac('sha256', 'k').update('x').digest('base64url')}`;
    const r2 = await w.push(cfg, hs);
    assert.equal(r2.status, 400);
    assert.ok(['invalid_key', 'invalid_request'].includes(r2.json.err), r2.text);
  });

  test('not a JWT -> invalid_request', async () => {
    for (const body of ['hello', 'a.b', 'a.b.c', '', '{"iss":"x"}', '....']) {
      assertPushError(await w.push(cfg, body), 400, 'invalid_request');
    }
  });

  test('the stream still accepts good SETs after all of that', async () => {
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
    assert.equal(Object.keys(await w.drain(cfg)).length, 1);
  });
});

describe('transport checks', () => {
  let up;
  let cfg;
  before(async () => {
    up = await Upstream.create();
    cfg = await streamFor(up);
  });

  test('missing, wrong and another stream\'s push credentials -> 401 authentication_failed', async () => {
    const other = await streamFor(up);
    const set = await up.sign();
    for (const authorization of [null, 'Bearer wrong', other.push.authorization_header, cfg.push.authorization_header.replace('Bearer ', ''), ALICE]) {
      const r = await w.push(cfg, set, { authorization });
      assertPushError(r, 401, 'authentication_failed');
      assert.match(r.headers.get('www-authenticate') ?? '', /Bearer/);
    }
    // The bearer token for the management API is not a push credential either.
    const r = await w.push(cfg, set, { authorization: `Bearer ${ALICE}` });
    assertPushError(r, 401, 'authentication_failed');
  });

  test('wrong content type -> 400 invalid_request', async () => {
    for (const contentType of ['application/json', 'text/plain', 'application/jwt']) {
      assertPushError(await w.push(cfg, await up.sign(), { contentType }), 400, 'invalid_request');
    }
  });

  test('oversized body (over 64 KiB) -> 413 before reading it whole', async () => {
    const big = 'a'.repeat(64 * 1024 + 1);
    assertPushError(await w.push(cfg, big), 413, 'invalid_request');
    // Without Content-Length (a streamed body): refused as well.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 80; i++) c.enqueue(new TextEncoder().encode('b'.repeat(1024)));
        c.close();
      },
    });
    const res = await w.mf.dispatchFetch(cfg.push.endpoint_url, {
      method: 'POST',
      headers: { authorization: cfg.push.authorization_header, 'content-type': 'application/secevent+jwt' },
      body: stream,
      duplex: 'half',
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).err, 'invalid_request');
  });

  test('unknown stream -> 404; GET -> 405', async () => {
    const r = await w.request('POST', '/ssf/push/0123456789abcdef0123456789abcdef', {
      headers: { authorization: cfg.push.authorization_header, 'content-type': 'application/secevent+jwt' },
      rawBody: await up.sign(),
    });
    assert.equal(r.status, 404);
    assert.equal(typeof r.json.err, 'string');
    assert.equal((await w.request('GET', cfg.push.endpoint_url)).status, 405);
  });

  test('a stream without source refuses pushes (400 access_denied)', async () => {
    const bare = await w.createStream({});
    assertPushError(await w.push(bare, await up.sign()), 400, 'access_denied');
  });

  test('the stream still works after all of that', async () => {
    const set = await up.sign();
    assert.equal((await w.push(cfg, set)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [set]);
  });
});

describe('filtering', () => {
  test('events not in events_delivered are 202 and not queued', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up, { events_requested: [EV.credentialChange] });
    const revoked = await up.sign({ event: EV.sessionRevoked });
    const changed = await up.sign({
      event: EV.credentialChange,
      eventBody: { credential_type: 'password', change_type: 'update', reason_admin: { en: 'x' } },
    });
    assert.equal((await w.push(cfg, revoked)).status, 202);
    assert.equal((await w.push(cfg, changed)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [changed]);
  });

  test('removed subjects are 202 and not queued; SSF complex subject matching', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up);
    const alice = { format: 'email', email: 'alice@example.com' };
    const bob = { format: 'email', email: 'bob@example.com' };
    assert.equal((await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject: alice } })).status, 204);
    const toAlice = await up.sign({ subject: alice });
    const toBob = await up.sign({ subject: bob });
    // A complex subject one of whose members is Alice matches the removed simple subject.
    const complexAlice = await up.sign({ subject: { format: 'complex', user: alice, device: { format: 'opaque', id: 'd1' } } });
    for (const s of [toAlice, toBob, complexAlice]) assert.equal((await w.push(cfg, s)).status, 202);
    const got = Object.values(await w.drain(cfg));
    assert.ok(!got.includes(toAlice), 'removed subject not delivered');
    assert.ok(got.includes(toBob));
    assert.ok(!got.includes(complexAlice), 'a simple subject matches the complex subject naming it');

    // Remove a complex subject {user: Alice}: events about Alice on any device no longer match.
    await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'complex', user: alice } } });
    assert.equal((await w.push(cfg, await up.sign({ subject: { format: 'complex', user: alice, device: { format: 'opaque', id: 'd2' } } }))).status, 202);
    assert.deepEqual(await w.drain(cfg), {});

    // Adding Alice back delivers her events again.
    assert.equal((await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject: alice } })).status, 200);
    const again = await up.sign({ subject: alice });
    assert.equal((await w.push(cfg, again)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [again]);
  });

  test('default_subjects NONE: only added subjects are queued', async () => {
    const w2 = await startWorker({ vars: { SSF_DEFAULT_SUBJECTS: 'NONE' } });
    try {
      assert.equal((await w2.discovery()).default_subjects, 'NONE');
      const up = await Upstream.create();
      const cfg = await w2.createStream({ source: up.source() });
      const alice = { format: 'email', email: 'alice@example.com' };
      const before = await up.sign({ subject: alice });
      assert.equal((await w2.push(cfg, before)).status, 202);
      assert.deepEqual(await w2.drain(cfg), {});
      await w2.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'complex', user: alice } } });
      const narrower = await up.sign({ subject: { format: 'complex', user: alice, session: { format: 'opaque', id: 's1' } } });
      const other = await up.sign({ subject: { format: 'email', email: 'bob@example.com' } });
      for (const s of [narrower, other]) assert.equal((await w2.push(cfg, s)).status, 202);
      assert.deepEqual(Object.values(await w2.drain(cfg)), [narrower]);
      // The worker's own SETs about the stream always flow.
      assert.equal((await w2.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id } })).status, 204);
      assert.equal(Object.keys(await w2.drain(cfg)).length, 1);
    } finally {
      await w2.stop();
    }
  });
});

describe('source JWKS by jwks_uri', () => {
  test('fetched once and cached; key rotation refetches once; unknown kids are rate limited', async () => {
    const up = await Upstream.create();
    const uri = jwksServer.serve(up);
    const cfg = await w.createStream({ source: up.source({ jwksUri: uri }) });
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
    assert.equal(jwksServer.count(uri), 1, 'first fetch, then cached');

    // Rotation: the upstream adds a key and signs with it; one refetch finds it.
    const k2 = await up.addKey('ES256');
    assert.equal((await w.push(cfg, await up.sign({ key: k2 }))).status, 202);
    assert.equal(jwksServer.count(uri), 2, 'one refetch on unknown kid');

    // A flood of unknown kids: no further fetches within the refetch interval. The key may
    // exist (a rotation the gate has not let us see yet): a retryable 503 with Retry-After,
    // never a 400 (which a transmitter must not retry); `err` names the cause, the key.
    const stranger = await Upstream.create({ issuer: up.issuer, audience: up.audience });
    for (let i = 0; i < 5; i++) {
      const r = await w.push(cfg, await stranger.sign());
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.err, 'invalid_key');
      const after = Number(r.headers.get('retry-after'));
      assert.ok(after >= 1 && after <= 3600, `Retry-After ${r.headers.get('retry-after')}`);
    }
    assert.equal(jwksServer.count(uri), 2, 'refetch is rate limited');
    assert.equal(Object.keys(await w.drain(cfg)).length, 3);
  });

  test('an unreachable jwks_uri is 503 (retry later), not a SET error', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source({ jwksUri: `${jwksServer.base}/missing.json` }) });
    const r = await w.push(cfg, await up.sign());
    assert.equal(r.status, 503);
    assert.equal(typeof r.json.err, 'string');
  });
});

describe('stream changes take effect on the next push', () => {
  // The worker keeps a parsed view of each stream per isolate; every write by the
  // management API must drop it.
  test('a new source replaces the old one at once', async () => {
    const oldUp = await Upstream.create();
    const newUp = await Upstream.create({ alg: 'ES256' });
    const cfg = await streamFor(oldUp);
    assert.equal((await w.push(cfg, await oldUp.sign())).status, 202);
    const patch = await w.request('PATCH', '/ssf/streams', {
      token: ALICE,
      body: { stream_id: cfg.stream_id, source: newUp.source() },
    });
    assert.equal(patch.status, 200, patch.text);
    // The old upstream's key is not in the new source: refused before its issuer is read.
    assertPushError(await w.push(cfg, await oldUp.sign()), 400, 'invalid_key');
    assert.equal((await w.push(cfg, await newUp.sign())).status, 202);
  });

  test('a removed subject is not queued from the very next push', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up);
    const subject = { format: 'email', email: 'gone@example.com' };
    assert.equal((await w.push(cfg, await up.sign({ subject }))).status, 202);
    const r = await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject } });
    assert.equal(r.status, 204, r.text);
    assert.equal((await w.push(cfg, await up.sign({ subject }))).status, 202);
    assert.equal(Object.keys(await w.drain(cfg)).length, 1);
  });

  test('a deleted stream answers 404 to the very next push', async () => {
    const up = await Upstream.create();
    const cfg = await streamFor(up);
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
    const del = await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(del.status, 204, del.text);
    assert.equal((await w.push(cfg, await up.sign())).status, 404);
  });
});
