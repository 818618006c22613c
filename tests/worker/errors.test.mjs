// Every error the worker answers: one table of HTTP status + RFC 8935 `err` per situation
// (README "Errors", worker/src/http.rs), the same on push, poll and management; poll
// requests with unknown members refused at once, naming them; error texts that do not
// repeat themselves; and the stream-updated SET saying who changed the status.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, Upstream, decodeClaims, ALICE, BOB, EV } from './harness.mjs';

// RFC 8935 section 7.1's registry, SSF's addition, and the one code for the worker's own failure.
const REGISTRY = new Set(['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied', 'invalid_state']);

let w;
let up;
let cfg;
before(async () => {
  w = await startWorker({ vars: { SSF_LONG_POLL_SECONDS: 5, SSF_MIN_VERIFICATION_INTERVAL: 3600 } });
  up = await Upstream.create();
  cfg = await w.createStream({ source: up.source() });
});
after(async () => {
  await w?.stop();
});

const UNKNOWN = '0123456789abcdef0123456789abcdef';

function expectError(r, status, err, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.json?.err, err, `${what}: ${r.text}`);
  assert.ok(REGISTRY.has(r.json.err), `${what}: ${r.json.err} is an RFC 8935 / SSF err value`);
  assert.equal(typeof r.json.description, 'string', what);
  assert.equal(r.headers.get('content-language'), 'en', what);
  const d = r.json.description;
  // "invalid poll request: invalid poll request: ..." and the like.
  const head = d.split(':')[0];
  assert.ok(!d.slice(head.length + 1).includes(`${head}:`), `${what}: description repeats itself: ${d}`);
}

describe('the error table', () => {
  test('unknown stream: 404 invalid_request on push, poll, status and stream reads alike', async () => {
    const set = await up.sign();
    expectError(await w.request('POST', `/ssf/push/${UNKNOWN}`, { headers: { 'content-type': 'application/secevent+jwt' }, rawBody: set }), 404, 'invalid_request', 'push');
    expectError(await w.post(`/ssf/poll/${UNKNOWN}`, { token: ALICE, body: {} }), 404, 'invalid_request', 'poll');
    expectError(await w.get(`/ssf/status?stream_id=${UNKNOWN}`, { token: ALICE }), 404, 'invalid_request', 'status');
    expectError(await w.get(`/ssf/streams?stream_id=${UNKNOWN}`, { token: ALICE }), 404, 'invalid_request', 'read');
    // Another receiver's stream is exactly as unknown.
    expectError(await w.post(cfg.delivery.endpoint_url, { token: BOB, body: {} }), 404, 'invalid_request', 'poll of another receiver');
    expectError(await w.get('/no/such/endpoint', { token: ALICE }), 404, 'invalid_request', 'no such endpoint');
  });

  test('wrong method: 405 invalid_request with Allow', async () => {
    for (const [m, p] of [['GET', cfg.push.endpoint_url], ['GET', cfg.delivery.endpoint_url], ['DELETE', '/ssf/status'], ['POST', '/.well-known/ssf-configuration']]) {
      const r = await w.request(m, p, { token: ALICE });
      expectError(r, 405, 'invalid_request', `${m} ${p}`);
      assert.ok(r.headers.get('allow'), `${m} ${p}: Allow`);
    }
  });

  test('credentials: 401 authentication_failed with a challenge, on poll, management and push', async () => {
    for (const r of [
      await w.post(cfg.delivery.endpoint_url, { body: {} }),
      await w.post(cfg.delivery.endpoint_url, { token: 'nope', body: {} }),
      await w.get('/ssf/streams'),
      await w.push(cfg, await up.sign(), { authorization: 'Bearer wrong' }),
    ]) {
      expectError(r, 401, 'authentication_failed', 'credentials');
    }
    assert.match((await w.get('/ssf/streams')).headers.get('www-authenticate') || '', /^Bearer/);
  });

  test('bad SETs: 400 with the err of their failure', async () => {
    expectError(await w.push(cfg, 'not.a.set'), 400, 'invalid_request', 'garbage');
    const stranger = await Upstream.create({ issuer: up.issuer, audience: up.audience, kid: up.keys[0].kid });
    expectError(await w.push(cfg, await stranger.sign()), 400, 'invalid_key', 'bad signature');
    expectError(await w.push(cfg, await up.sign({ claims: { iss: 'https://other.example.com' } })), 400, 'invalid_issuer', 'issuer');
    expectError(await w.push(cfg, await up.sign({ claims: { aud: 'https://other.example.com' } })), 400, 'invalid_audience', 'audience');
  });

  test('malformed requests: 400 invalid_request; too large 413; wrong type 415', async () => {
    expectError(await w.post(cfg.delivery.endpoint_url, { token: ALICE, rawBody: '[1]', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request', 'poll array');
    expectError(await w.post(cfg.delivery.endpoint_url, { token: ALICE, body: { maxEvents: -1 } }), 400, 'invalid_request', 'poll maxEvents');
    expectError(await w.post('/ssf/streams', { token: ALICE, body: { sourc: {} } }), 400, 'invalid_request', 'create unknown member');
    expectError(await w.post('/ssf/streams', { token: ALICE, rawBody: 'x'.repeat(70 * 1024), headers: { 'content-type': 'application/json' } }), 413, 'invalid_request', 'too large');
    expectError(await w.post('/ssf/streams', { token: ALICE, rawBody: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'invalid_request', 'type');
  });

  test('too many: 429 access_denied (verification sooner than allowed)', async () => {
    const s = await w.createStream({ source: up.source() });
    const first = await w.post('/ssf/verify', { token: ALICE, body: { stream_id: s.stream_id } });
    assert.equal(first.status, 204, first.text);
    expectError(await w.post('/ssf/verify', { token: ALICE, body: { stream_id: s.stream_id } }), 429, 'access_denied', 'verify again');
  });
});

describe('poll request members', () => {
  test('a misspelt member is refused at once with 400 naming it (no long poll)', async () => {
    const t0 = Date.now();
    const r = await w.poll(cfg, { return_immediately: true, max_events: 1 });
    const ms = Date.now() - t0;
    expectError(r, 400, 'invalid_request', 'misspelt members');
    assert.ok(ms < 2500, `answered after ${ms} ms, not held for the long poll`);
    assert.match(r.json.description, /"return_immediately" \(did you mean "returnImmediately"\?\)/);
    assert.match(r.json.description, /"max_events" \(did you mean "maxEvents"\?\)/);
    assert.equal(r.json.description.match(/poll request/g).length, 1, r.json.description);
    // Nothing was acknowledged or consumed by the refused request.
    const set = await up.sign();
    assert.equal((await w.push(cfg, set)).status, 202);
    const bad = await w.poll(cfg, { returnImmediately: true, ack: [decodeClaims(set).jti], extra: 1 });
    expectError(bad, 400, 'invalid_request', 'ack with an unknown member');
    const got = await w.poll(cfg, { returnImmediately: true });
    assert.ok(Object.values(got.json.sets).includes(set), 'the SET is still there: the bad request acked nothing');
    await w.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: Object.keys(got.json.sets) });
  });

  test('the four RFC 8936 members and {} are accepted', async () => {
    for (const body of [{}, { returnImmediately: true, maxEvents: 5, ack: [], setErrs: {} }]) {
      const r = await w.poll(cfg, { returnImmediately: true, ...body });
      assert.equal(r.status, 200, r.text);
    }
  });
});

describe('stream-updated', () => {
  test('the SET for a status change says the receiver asked for it, with its reason', async () => {
    const s = await w.createStream({ source: up.source() });
    const change = (status, reason) => w.post('/ssf/status', { token: ALICE, body: { stream_id: s.stream_id, status, ...(reason ? { reason } : {}) } });
    assert.equal((await change('paused', 'maintenance window')).status, 200);
    assert.equal((await change('enabled')).status, 200);
    const reasons = Object.values(await w.drain(s)).map(decodeClaims)
      .filter((c) => c.events[EV.streamUpdated]).map((c) => [c.events[EV.streamUpdated].status, c.events[EV.streamUpdated].reason]);
    assert.deepEqual(reasons.sort(), [
      ['enabled', "enabled at the receiver's request (status endpoint)"],
      ['paused', "paused at the receiver's request (status endpoint): maintenance window"],
    ]);
  });
});
