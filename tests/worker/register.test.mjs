// The worker registering itself at an upstream transmitter (DESIGN section 10), against the
// emulated transmitter of transmitter.mjs: push and poll, bearer and client credentials,
// verification, the receiver plan's invalid-SET checks, redelivery, issuer mismatches,
// token expiry, status both ways, delete, an unreachable upstream, and no secret in any
// answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, until, sleep, freePort, tempDir, Upstream, ALICE, BOB, EV } from './harness.mjs';
import { Transmitter, PUSH, POLL } from './transmitter.mjs';

let w;
let BASE; // the worker over real HTTP: the upstream pushes to it
const seen = []; // every answer body, scanned for secrets at the end
before(async () => {
  w = await startWorker({ vars: { SSF_UPSTREAM_RETRY_SECONDS: 1, SSF_PUSH_MAX_BACKOFF_SECONDS: 2 } });
  BASE = (await w.mf.ready).origin;
  const request = w.request.bind(w);
  w.request = async (...a) => {
    const r = await request(...a);
    seen.push(r.text);
    return r;
  };
});
after(async () => { await w?.stop(); });

const create = (body, token = ALICE) => w.post(`${BASE}/ssf/streams`, { token, body });
const read = async (id, token = ALICE) => (await w.get(`${BASE}/ssf/streams?stream_id=${id}`, { token })).json;
const registration = async (id) => (await read(id)).source.registration;
const verified = (id) => until('verified', async () => (await registration(id)).state === 'verified');
const streamIds = async (token = ALICE) => (await w.get('/ssf/streams', { token })).json.map((s) => s.stream_id);

describe('registering by push with a bearer token', () => {
  let tx;
  let cfg;
  before(async () => {
    tx = await Transmitter.start();
    const r = await create({ source: tx.source({ delivery: 'push' }), events_requested: [EV.sessionRevoked, EV.verification, EV.streamUpdated, EV.accountDisabled] });
    assert.equal(r.status, 201, r.text);
    cfg = r.json;
  });
  after(async () => { await tx.stop(); });

  test('the upstream stream pushes to our push URL with our credential; reads show no secret', async () => {
    const up = tx.only();
    assert.equal(up.delivery.method, PUSH);
    assert.equal(up.delivery.endpoint_url, cfg.push.endpoint_url);
    assert.equal(up.delivery.authorization_header, cfg.push.authorization_header);
    assert.deepEqual(up.events_requested, [EV.sessionRevoked, EV.verification, EV.streamUpdated, EV.accountDisabled]);
    // The upstream does not offer account-disabled: the registration says what it delivers.
    assert.deepEqual(cfg.source.registration.events_delivered, [EV.sessionRevoked, EV.verification, EV.streamUpdated]);
    const create = tx.calls.find((c) => c.path === '/streams' && c.method === 'POST');
    assert.equal(create.authorization, `Bearer ${tx.bearer}`);
    assert.equal(cfg.source.issuer, tx.issuer);
    assert.equal(cfg.source.audience, up.aud, 'aud from the upstream');
    assert.equal(cfg.source.jwks_uri, `${tx.origin}/jwks`, 'keys from discovery');
    assert.deepEqual(cfg.source.register, { delivery: 'push', auth: { type: 'bearer' } });
    assert.equal(cfg.source.registration.upstream_stream_id, up.id);
    assert.equal(cfg.source.registration.delivery, 'push');
    assert.ok(!JSON.stringify(cfg).includes(tx.bearer), 'the bearer token is write-only');
  });

  test('verification with a random state reaches verified', async () => {
    await verified(cfg.stream_id);
    const log = await w.get(`/ssf/activity?stream_id=${cfg.stream_id}&kind=upstream`, { token: ALICE });
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.entries[0].what, 'registered');
    assert.equal(log.json.entries[0].upstream_stream_id, tx.only().id);
    assert.ok(log.json.entries.some((e) => e.what === 'registration' && e.state === 'verified'));
    const v = tx.calls.find((c) => c.path === '/verify');
    const state = JSON.parse(v.body).state;
    assert.ok(state && state.length >= 16, 'unguessable state');
    assert.equal(tx.only().pushes.at(-1).status, 202);
  });

  test('an upstream SET arrives; bad ones are refused with the push rules', async () => {
    const up = tx.only();
    const jti = await tx.deliver(up);
    const got = await w.drain(cfg);
    assert.ok(got[jti], 'the pushed SET is queued');
    const other = await Upstream.create({ alg: 'ES256', issuer: tx.issuer });
    const cases = [
      [await other.sign({ claims: { aud: up.aud }, key: { ...other.keys[0], kid: tx.signer.keys[0].kid } }), 'invalid_key'],
      [await other.sign({ claims: { aud: up.aud } }), 'invalid_key'],
      [await tx.signer.sign({ claims: { aud: up.aud, iss: 'https://evil.example.com' } }), 'invalid_issuer'],
      [await tx.signer.sign({ claims: { aud: 'someone-else' } }), 'invalid_audience'],
    ];
    for (const [token, err] of cases) {
      await tx.deliverRaw(up, token);
      const p = up.pushes.at(-1);
      assert.equal(p.status, 400, p.body);
      assert.equal(JSON.parse(p.body).err, err);
    }
  });

  test('a stream-updated from the upstream sets upstream_status; ours is applied upstream', async () => {
    const up = tx.only();
    await tx.deliver(up, { event: EV.streamUpdated, eventBody: { status: 'paused', reason: 'maintenance' }, subject: { format: 'opaque', id: up.id } });
    await until('upstream_status', async () => (await registration(cfg.stream_id)).upstream_status === 'paused');
    const r = await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'enabled' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(up.status, 'enabled');
    assert.equal((await registration(cfg.stream_id)).upstream_status, 'enabled');
    tx.faults.statusFails = true;
    const paused = await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'paused' } });
    assert.equal(paused.status, 200, 'our status changes even when the upstream does not follow');
    assert.match((await registration(cfg.stream_id)).error, /stream status: answered 503: status store down/);
    tx.faults.statusFails = false;
    await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'enabled' } });
  });

  test('a registered source cannot be patched; other members can, the source stays', async () => {
    const bad = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, source: { issuer: tx.issuer, jwks: { keys: [] }, audience: 'x' } } });
    assert.equal(bad.status, 400, bad.text);
    const ok = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, description: 'renamed' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.source.register, cfg.source.register);
    const put = await w.request('PUT', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, delivery: { method: POLL } } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.source.registration.upstream_stream_id, tx.only().id);
  });

  test('another receiver never sees the stream', async () => {
    assert.equal((await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: BOB })).status, 404);
    assert.ok(!(await streamIds(BOB)).includes(cfg.stream_id));
  });

  test('our delete deletes the upstream stream', async () => {
    const id = tx.only().id;
    assert.equal((await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE })).status, 204);
    assert.equal(tx.streams.size, 0);
    assert.ok(tx.calls.some((c) => c.method === 'DELETE' && c.query === `?stream_id=${id}`));
  });
});

describe('registering by poll with client credentials', () => {
  let tx;
  let cfg;
  before(async () => {
    tx = await Transmitter.start({ tokenSeconds: 2, path: '/' });
    const r = await create({ source: tx.source({ delivery: 'poll', auth: 'client_credentials' }) });
    assert.equal(r.status, 201, r.text);
    cfg = r.json;
  });
  after(async () => {
    await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    await tx.stop();
  });

  test('the upstream stream is a poll stream; reads show the client id, never the secret', async () => {
    assert.equal(tx.only().delivery.method, POLL);
    assert.deepEqual(cfg.source.register.auth, { type: 'client_credentials', client_id: tx.client.id, token_endpoint: `${tx.origin}/token`, scope: 'ssf' });
    assert.equal(cfg.source.registration.delivery, 'poll');
    assert.ok(!JSON.stringify(cfg).includes(tx.client.secret));
    assert.ok(tx.tokenRequests >= 1);
  });

  test('verification arrives by poll and reaches verified', async () => {
    await verified(cfg.stream_id);
  });

  test('polled SETs are stored and acknowledged in the next request; bad ones reported in setErrs', async () => {
    const up = tx.only();
    const good = await tx.deliver(up);
    const other = await Upstream.create({ alg: 'ES256', issuer: tx.issuer });
    const badKey = await tx.deliverRaw(up, await other.sign({ claims: { aud: up.aud } }));
    const badIss = await tx.deliverRaw(up, await tx.signer.sign({ claims: { aud: up.aud, iss: `${tx.issuer}x` } }));
    const badAud = await tx.deliverRaw(up, await tx.signer.sign({ claims: { aud: 'nope' } }));
    await until('acked', () => tx.acks.includes(good), 15000);
    const got = await w.drain(cfg);
    assert.ok(got[good]);
    await until('setErrs', () => [badKey, badIss, badAud].every((j) => tx.setErrs.some((e) => e.jti === j)));
    const errOf = (j) => tx.setErrs.find((e) => e.jti === j);
    assert.equal(errOf(badKey).err, 'invalid_key');
    assert.equal(errOf(badIss).err, 'invalid_issuer');
    assert.equal(errOf(badAud).err, 'invalid_audience');
    assert.ok(errOf(badAud).description.length > 0);
    for (const j of [badKey, badIss, badAud]) assert.ok(!tx.acks.includes(j), 'a bad SET is not acknowledged');
  });

  test('a SET redelivered after its ack is accepted again and stored once', async () => {
    const up = tx.only();
    const token = await tx.signer.sign({ claims: { aud: up.aud } });
    const jti = await tx.deliverRaw(up, token);
    await until('first ack', () => tx.acks.filter((a) => a === jti).length === 1);
    await tx.deliverRaw(up, token);
    await until('second ack', () => tx.acks.filter((a) => a === jti).length === 2);
    const got = await w.drain(cfg);
    assert.deepEqual(Object.keys(got).filter((j) => j === jti), [jti]);
  });

  test('access tokens expire (2 s): polling carries on with a fresh one', async () => {
    const before = tx.tokenRequests;
    await sleep(2500);
    const jti = await tx.deliver(tx.only());
    await until('acked after expiry', () => tx.acks.includes(jti), 15000);
    assert.ok(tx.tokenRequests > before, 'a new token was fetched');
    const rejected = tx.calls.filter((c) => c.path.startsWith('/poll/') && c.authorization && !c.authorization.startsWith('Bearer '));
    assert.equal(rejected.length, 0);
  });

  test('upstream errors back off and show as failing, then recover', async () => {
    tx.faults.pollFailures = 3;
    await until('failing', async () => (await registration(cfg.stream_id)).state === 'failing', 15000);
    assert.match((await registration(cfg.stream_id)).error, /poll.*503.*poll backend down/);
    await until('recovered', async () => (await registration(cfg.stream_id)).state === 'verified', 20000);
    const jti = await tx.deliver(tx.only());
    await until('acked after recovery', () => tx.acks.includes(jti), 15000);
  });
});

describe('a poll registration across a restart', () => {
  test('SETs queued upstream while the worker is down are polled, stored and acknowledged after it', async () => {
    const tx = await Transmitter.start({ path: '/restart' });
    const persist = tempDir('ssf-register-restart-');
    // Polls failing while the first worker shuts down back off; keep that short.
    const vars = { SSF_UPSTREAM_RETRY_SECONDS: 1, SSF_PUSH_MAX_BACKOFF_SECONDS: 2 };
    let w1 = await startWorker({ persist, vars });
    try {
      const base = (await w1.mf.ready).origin;
      const r = await w1.post(`${base}/ssf/streams`, { token: ALICE, body: { source: tx.source({ delivery: 'poll' }) } });
      assert.equal(r.status, 201, r.text);
      const cfg = r.json;
      await until('verified', async () => (await w1.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE })).json.source.registration.state === 'verified');
      await w1.stop();
      w1 = null;
      const jti = await tx.deliver(tx.only());
      const w2 = await startWorker({ persist, vars });
      try {
        await until('acked after the restart', () => tx.acks.includes(jti), 20000);
        const got = await w2.drain({ delivery: { endpoint_url: `/ssf/poll/${cfg.stream_id}` } });
        assert.ok(got[jti], 'stored');
      } finally { await w2.stop(); }
    } finally {
      await w1?.stop();
      await tx.stop();
    }
  });
});

describe('registration refused: 502 and nothing left on either side', () => {
  test('discovery naming another issuer', async () => {
    const tx = await Transmitter.start();
    try {
      tx.faults.discoveryIssuer = 'https://impostor.example.com';
      const before = await streamIds();
      const r = await create({ source: tx.source() });
      assert.equal(r.status, 502, r.text);
      assert.match(r.json.description, /issuer/);
      assert.deepEqual(await streamIds(), before);
      assert.equal(tx.streams.size, 0);
    } finally { await tx.stop(); }
  });

  test('a created stream whose iss is not the issuer (SSF 8.1.1.1) is deleted again', async () => {
    const tx = await Transmitter.start();
    try {
      tx.faults.createIss = 'https://impostor.example.com';
      const before = await streamIds();
      const r = await create({ source: tx.source() });
      assert.equal(r.status, 502, r.text);
      assert.match(r.json.description, /iss/);
      assert.deepEqual(await streamIds(), before);
      assert.equal(tx.streams.size, 0, 'the upstream stream was deleted');
      assert.ok(tx.calls.some((c) => c.method === 'DELETE'));
    } finally { await tx.stop(); }
  });

  test('the upstream refuses, or is unreachable, or lacks poll, or the credentials are wrong', async () => {
    const tx = await Transmitter.start();
    try {
      tx.faults.createStatus = 400;
      const refused = await create({ source: tx.source() });
      assert.equal(refused.status, 502);
      assert.match(refused.json.description, /refuses new streams today/);
      tx.faults.createStatus = undefined;
      tx.faults.onlyPush = true;
      assert.equal((await create({ source: tx.source({ delivery: 'poll' }) })).status, 502);
      tx.faults.onlyPush = false;
      const wrong = tx.source({ auth: 'client_credentials' });
      wrong.register.auth.client_credentials.client_secret = 'not-the-secret';
      const denied = await create({ source: wrong });
      assert.equal(denied.status, 502);
      assert.match(denied.json.description, /token request.*401/);
      assert.ok(!denied.text.includes('not-the-secret'));
      assert.equal(tx.streams.size, 0);
    } finally { await tx.stop(); }
    const port = await freePort();
    const gone = await create({ source: { issuer: `http://127.0.0.1:${port}`, register: { delivery: 'push', auth: { bearer: 'x' } } } });
    assert.equal(gone.status, 502, gone.text);
    assert.match(gone.json.description, /discovery/);
  });

  test('malformed registrations are 400 before any call', async () => {
    const tx = await Transmitter.start();
    try {
      for (const register of [
        { delivery: 'carrier-pigeon', auth: { bearer: 't' } },
        { delivery: 'push' },
        { delivery: 'push', auth: { bearer: 't', client_credentials: {} } },
        { delivery: 'push', auth: { client_credentials: { client_id: 'a', client_secret: 'b' } } },
        { delivery: 'push', auth: { bearer: 't' }, extra: 1 },
      ]) {
        const r = await create({ source: { issuer: tx.issuer, register } });
        assert.equal(r.status, 400, `${JSON.stringify(register)}: ${r.text}`);
      }
      const keys = await create({ source: { ...tx.source(), audience: 'mine' } });
      assert.equal(keys.status, 400);
      assert.equal(tx.calls.length, 0, 'the upstream was never called');
    } finally { await tx.stop(); }
  });
});

describe('secrets', () => {
  test('no answer of this file carried a bearer token, a client secret or an access token', async () => {
    const secrets = ['upstream-api-token', 's3cr3t:pa ss', 's3cr3t%3Apa+ss', ...Transmitter.issued];
    assert.ok(Transmitter.issued.length > 0);
    for (const text of seen) for (const s of secrets) assert.ok(!text.includes(s), `${s} in ${text.slice(0, 200)}`);
  });
});
