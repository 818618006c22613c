// SSF transmitter plan (as the OpenID conformance suite checks it): metadata, stream control
// happy path, each error with its status code, subject control, receiver isolation, bad
// input to every management endpoint.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, Upstream, ALICE, BOB, ORIGIN, POLL_METHOD, PUSH_METHOD, EV } from './harness.mjs';

let w;
let up;
before(async () => {
  w = await startWorker();
  up = await Upstream.create();
});
after(async () => {
  await w?.stop();
});

function assertJsonError(r, status) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(typeof r.json?.err, 'string', `JSON err in ${r.text}`);
  assert.equal(typeof r.json?.description, 'string');
}

describe('metadata', () => {
  test('discovery document has the SSF 1.0 members', async () => {
    const r = await w.get('/.well-known/ssf-configuration');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /application\/json/);
    const d = r.json;
    assert.equal(d.spec_version, '1_0');
    assert.equal(d.issuer, ORIGIN);
    for (const k of ['jwks_uri', 'configuration_endpoint', 'status_endpoint', 'add_subject_endpoint',
      'remove_subject_endpoint', 'verification_endpoint']) {
      assert.equal(typeof d[k], 'string', k);
      assert.ok(d[k].startsWith(ORIGIN + '/'), k);
    }
    assert.deepEqual(d.delivery_methods_supported, [PUSH_METHOD, POLL_METHOD]);
    // Static bearer tokens only: OAuth (RFC 6749) is listed only with SSF_OAUTH (oauth.test.mjs).
    assert.deepEqual(d.authorization_schemes, [{ spec_urn: 'urn:ietf:rfc:6750' }]);
    assert.ok(['ALL', 'NONE'].includes(d.default_subjects));
  });

  test('jwks_uri serves the signing key (public only)', async () => {
    const d = await w.discovery();
    const r = await w.request('GET', d.jwks_uri);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json.keys) && r.json.keys.length >= 1);
    for (const k of r.json.keys) {
      assert.ok(k.kid);
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[priv], undefined, `no ${priv}`);
    }
  });

  test('discovery at the issuer-path well-known URL when SSF_ISSUER has a path', async () => {
    const w2 = await startWorker({ vars: { SSF_ISSUER: 'https://ssf.example.com/tenant1' } });
    try {
      const r = await w2.get('/.well-known/ssf-configuration/tenant1');
      assert.equal(r.status, 200);
      assert.equal(r.json.issuer, 'https://ssf.example.com/tenant1');
      assert.equal((await w2.get('/.well-known/ssf-configuration/other')).status, 404);
    } finally {
      await w2.stop();
    }
  });

  test('placeholder page at / when no static assets are bound', async () => {
    const r = await w.get('/');
    assert.equal(r.status, 200);
    assert.match(r.text, /SSF/);
  });
});

describe('stream control happy path', () => {
  test('create, read, list, update, replace, delete', async () => {
    const create = await w.post('/ssf/streams', {
      token: ALICE,
      body: { events_requested: [EV.sessionRevoked, EV.credentialChange, 'urn:example:unknown'], description: 'mine', source: up.source() },
    });
    assert.equal(create.status, 201, create.text);
    assert.equal(create.headers.get('cache-control'), 'no-store');
    const cfg = create.json;
    assert.match(cfg.stream_id, /^[0-9a-f]{32}$/);
    assert.equal(cfg.iss, ORIGIN);
    assert.ok(cfg.aud);
    assert.equal(cfg.delivery.method, POLL_METHOD);
    assert.equal(cfg.delivery.endpoint_url, `${ORIGIN}/ssf/poll/${cfg.stream_id}`);
    assert.deepEqual(cfg.events_delivered, [EV.sessionRevoked, EV.credentialChange]);
    assert.ok(cfg.events_supported.includes(EV.sessionRevoked));
    assert.equal(cfg.description, 'mine');
    assert.equal(cfg.source.issuer, up.issuer);
    assert.equal(cfg.push.endpoint_url, `${ORIGIN}/ssf/push/${cfg.stream_id}`);
    assert.match(cfg.push.authorization_header, /^Bearer [0-9a-f]{64}$/);

    const read = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('cache-control'), 'no-store');
    // The create answer also says which requested type is not delivered (not stored).
    assert.deepEqual(cfg.events_undelivered, [{ uri: 'urn:example:unknown', why: 'not an event type this transmitter supports' }]);
    delete cfg.events_undelivered;
    assert.deepEqual(read.json, cfg);

    const list = await w.get('/ssf/streams', { token: ALICE });
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.json));
    assert.ok(list.json.some((s) => s.stream_id === cfg.stream_id));

    const patch = await w.request('PATCH', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, description: 'patched', events_requested: [EV.credentialChange] },
    });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.json.description, 'patched');
    assert.deepEqual(patch.json.events_delivered, [EV.credentialChange]);
    assert.equal(patch.json.source.issuer, up.issuer, 'PATCH keeps absent members');
    assert.ok(patch.json.push, 'push extension in every read');

    // PATCH with the transmitter-supplied members unchanged (as a receiver that echoes the config).
    const echo = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { ...patch.json, description: 'echo' } });
    assert.equal(echo.status, 200, echo.text);
    assert.equal(echo.json.description, 'echo');

    const put = await w.request('PUT', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, events_requested: [EV.sessionRevoked], delivery: { method: POLL_METHOD } },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.description, undefined, 'PUT deletes omitted receiver-supplied members');
    assert.equal(put.json.source, undefined);
    assert.deepEqual(put.json.events_delivered, [EV.sessionRevoked]);
    assert.equal(put.json.push.authorization_header, cfg.push.authorization_header);

    const del = await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    const gone = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assertJsonError(gone, 404);
  });

  test('create with no body members gives a poll stream delivering every supported event', async () => {
    const cfg = await w.createStream({});
    assert.equal(cfg.delivery.method, POLL_METHOD);
    assert.ok(cfg.events_delivered.length > 5);
    assert.deepEqual(cfg.events_delivered, cfg.events_supported);
  });

  test('status read and update', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const r = await w.get(`/ssf/status?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.deepEqual(r.json, { stream_id: cfg.stream_id, status: 'enabled' });
    for (const status of ['paused', 'disabled', 'enabled']) {
      const u = await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status, reason: `to ${status}` } });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.json.status, status);
      assert.equal(u.json.reason, `to ${status}`);
      const g = await w.get(`/ssf/status?stream_id=${cfg.stream_id}`, { token: ALICE });
      assert.equal(g.json.status, status);
    }
  });

  test('subject add and remove', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const subject = { format: 'email', email: 'someone@example.com' };
    const add = await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject, verified: true } });
    assert.equal(add.status, 200, add.text);
    const rm = await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject } });
    assert.equal(rm.status, 204, rm.text);
    const complex = { format: 'complex', user: { format: 'email', email: 'a@example.com' }, device: { format: 'opaque', id: 'd1' } };
    const add2 = await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject: complex } });
    assert.equal(add2.status, 200, add2.text);
  });

  test('verification request is 204', async () => {
    const cfg = await w.createStream({});
    const r = await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: 'abc' } });
    assert.equal(r.status, 204, r.text);
    const r2 = await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id } });
    assert.equal(r2.status, 204, r2.text);
  });
});

describe('errors with their status codes', () => {
  const endpoints = [
    ['POST', '/ssf/streams'], ['GET', '/ssf/streams'], ['PATCH', '/ssf/streams'], ['PUT', '/ssf/streams'],
    ['DELETE', '/ssf/streams?stream_id=x'], ['GET', '/ssf/status?stream_id=x'], ['POST', '/ssf/status'],
    ['POST', '/ssf/subjects:add'], ['POST', '/ssf/subjects:remove'], ['POST', '/ssf/verify'],
    ['POST', '/ssf/poll/0123456789abcdef0123456789abcdef'], ['GET', '/ssf/queue?stream_id=x'],
  ];

  test('401 without a token, with a wrong token, with a non-bearer scheme', async () => {
    for (const [m, p] of endpoints) {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic dG9rZW4tYWxpY2U6' }, { authorization: 'token-alice' }]) {
        const r = await w.request(m, p, { headers, body: {} });
        assertJsonError(r, 401);
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
  });

  test('404 for unknown streams and for another receiver\'s streams', async () => {
    const mine = await w.createStream({ source: up.source() }, ALICE);
    const unknown = '0123456789abcdef0123456789abcdef';
    for (const id of [unknown, mine.stream_id, 'not-an-id']) {
      const tok = id === mine.stream_id ? BOB : ALICE;
      const checks = [
        w.get(`/ssf/streams?stream_id=${id}`, { token: tok }),
        w.request('PATCH', '/ssf/streams', { token: tok, body: { stream_id: id, description: 'x' } }),
        w.request('PUT', '/ssf/streams', { token: tok, body: { stream_id: id } }),
        w.request('DELETE', `/ssf/streams?stream_id=${id}`, { token: tok }),
        w.get(`/ssf/status?stream_id=${id}`, { token: tok }),
        w.post('/ssf/status', { token: tok, body: { stream_id: id, status: 'paused' } }),
        w.post('/ssf/subjects:add', { token: tok, body: { stream_id: id, subject: { format: 'opaque', id: 'x' } } }),
        w.post('/ssf/subjects:remove', { token: tok, body: { stream_id: id, subject: { format: 'opaque', id: 'x' } } }),
        w.post('/ssf/verify', { token: tok, body: { stream_id: id } }),
        w.post(`/ssf/poll/${id}`, { token: tok, body: { returnImmediately: true } }),
        w.get(`/ssf/queue?stream_id=${id}`, { token: tok }),
      ];
      for (const r of await Promise.all(checks)) assertJsonError(r, 404);
    }
    // Bob's list does not show Alice's stream; Alice's stream is unharmed.
    const bobList = await w.get('/ssf/streams', { token: BOB });
    assert.ok(!bobList.json.some((s) => s.stream_id === mine.stream_id));
    const still = await w.get(`/ssf/status?stream_id=${mine.stream_id}`, { token: ALICE });
    assert.equal(still.json.status, 'enabled');
  });

  test('400 for bad JSON and invalid bodies on every management endpoint', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const id = cfg.stream_id;
    const bad = [
      ['POST', '/ssf/streams', '{not json'],
      ['POST', '/ssf/streams', '[]'],
      ['POST', '/ssf/streams', JSON.stringify({ stream_id: 'chosen' })],
      ['POST', '/ssf/streams', JSON.stringify({ delivery: { method: PUSH_METHOD } })],
      ['POST', '/ssf/streams', JSON.stringify({ delivery: { method: PUSH_METHOD, endpoint_url: 'http://rp.example.com/push' } })],
      ['POST', '/ssf/streams', JSON.stringify({ delivery: { method: 'urn:example:carrier-pigeon' } })],
      ['POST', '/ssf/streams', JSON.stringify({ events_requested: 'not-an-array' })],
      ['POST', '/ssf/streams', JSON.stringify({ source: { issuer: 'https://x.example' } })],
      ['POST', '/ssf/streams', JSON.stringify({ source: { issuer: 'https://x.example', audience: 'a', jwks_uri: 'http://evil.example/jwks' } })],
      ['POST', '/ssf/streams', JSON.stringify({ source: { issuer: 'https://x.example', audience: 'a', jwks: { keys: [] }, algorithms: ['none'] } })],
      ['POST', '/ssf/streams', '{"description": "a", "description": "b"}'],
      ['PATCH', '/ssf/streams', '{oops'],
      ['PATCH', '/ssf/streams', JSON.stringify({ description: 'no stream id' })],
      ['PATCH', '/ssf/streams', JSON.stringify({ stream_id: id, iss: 'https://other.example' })],
      ['PATCH', '/ssf/streams', JSON.stringify({ stream_id: id, events_delivered: ['x'] })],
      ['PUT', '/ssf/streams', '"string"'],
      ['PUT', '/ssf/streams', JSON.stringify({ stream_id: id, aud: 'someone-else' })],
      ['DELETE', '/ssf/streams', ''],
      ['GET', '/ssf/status', ''],
      ['POST', '/ssf/status', '{'],
      ['POST', '/ssf/status', JSON.stringify({ stream_id: id })],
      ['POST', '/ssf/status', JSON.stringify({ stream_id: id, status: 'asleep' })],
      ['POST', '/ssf/subjects:add', '{'],
      ['POST', '/ssf/subjects:add', JSON.stringify({ stream_id: id })],
      ['POST', '/ssf/subjects:add', JSON.stringify({ stream_id: id, subject: { format: 'email' } })],
      ['POST', '/ssf/subjects:remove', 'null'],
      ['POST', '/ssf/subjects:remove', JSON.stringify({ subject: { format: 'opaque', id: 'x' } })],
      ['POST', '/ssf/verify', '{'],
      ['POST', '/ssf/verify', JSON.stringify({ state: 'no stream' })],
      ['POST', '/ssf/verify', JSON.stringify({ stream_id: id, state: 42 })],
      ['POST', `/ssf/poll/${id}`, '{'],
      ['POST', `/ssf/poll/${id}`, JSON.stringify({ maxEvents: -1 })],
      ['POST', `/ssf/poll/${id}`, JSON.stringify({ maxEvents: 1.5 })],
      ['POST', `/ssf/poll/${id}`, JSON.stringify({ returnImmediately: 'yes' })],
      ['POST', `/ssf/poll/${id}`, JSON.stringify({ ack: [1, 2] })],
      ['POST', `/ssf/poll/${id}`, JSON.stringify({ setErrs: { a: 'b' } })],
      ['GET', '/ssf/queue', ''],
    ];
    for (const [m, p, raw] of bad) {
      const r = await w.request(m, p, { token: ALICE, rawBody: raw === '' ? undefined : raw, headers: { 'content-type': 'application/json' } });
      assertJsonError(r, 400);
      assert.equal(r.json.err, 'invalid_request', `${m} ${p} ${raw}`);
    }
    // The stream still works after all of that.
    const ok = await w.get(`/ssf/streams?stream_id=${id}`, { token: ALICE });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, cfg);
  });

  test('405 for wrong methods, 404 for unknown paths', async () => {
    assertJsonError(await w.request('DELETE', '/ssf/status', { token: ALICE }), 405);
    assertJsonError(await w.request('GET', '/ssf/verify', { token: ALICE }), 405);
    assertJsonError(await w.request('GET', '/ssf/subjects:add', { token: ALICE }), 405);
    assertJsonError(await w.request('POST', '/.well-known/ssf-configuration'), 405);
    assertJsonError(await w.get('/no/such/thing'), 404);
  });

  test('415 for a management request that is not JSON', async () => {
    const r = await w.request('POST', '/ssf/streams', { token: ALICE, rawBody: 'description=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertJsonError(r, 415);
  });

  test('413 for an oversized management body', async () => {
    const r = await w.request('POST', '/ssf/streams', { token: ALICE, rawBody: JSON.stringify({ description: 'x'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } });
    assertJsonError(r, 413);
  });

  test('429 for verification requests faster than min_verification_interval', async () => {
    const w2 = await startWorker({ vars: { SSF_MIN_VERIFICATION_INTERVAL: 3600 } });
    try {
      const cfg = await w2.createStream({});
      assert.equal(cfg.min_verification_interval, 3600);
      assert.equal((await w2.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id } })).status, 204);
      const r = await w2.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id } });
      assertJsonError(r, 429);
    } finally {
      await w2.stop();
    }
  });
});
