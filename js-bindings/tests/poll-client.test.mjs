// PollClient against the real worker under workerd: acknowledges only handled SETs,
// reports setErrs, leaves the rest for redelivery, long polls, stops on abort, verifies,
// backs off on network errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PollClient, SetError, SsfError } from 'shared-signals';
import { startPeer, jtiOf, ALICE } from './worker-peer.mjs';

let peer;
before(async () => {
  peer = await startPeer({ SSF_LONG_POLL_SECONDS: 2, SSF_REDELIVERY_SECONDS: 1 });
});
after(async () => {
  await peer?.stop();
});

// A controller that also aborts on its own after a while, so that a run that never gets
// what it waits for fails its assertions instead of hanging the file.
function stopper(ms = 30_000) {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms).unref();
  return c;
}

const client = (cfg, extra = {}) => new PollClient({ endpoint: cfg.delivery.endpoint_url, token: ALICE, ...extra });

async function pushed(cfg, n) {
  const sets = [];
  for (let i = 0; i < n; i++) {
    const s = await peer.upstream.sign();
    await peer.push(cfg, s);
    sets.push(s);
  }
  return sets;
}

test('acks only handled SETs, reports SetErrors in setErrs, redelivers the rest', { timeout: 90_000 }, async () => {
  const cfg = await peer.createStream();
  const [ok, refused, failed] = await pushed(cfg, 3);
  const byToken = new Map([[ok, 'ok'], [refused, 'refused'], [failed, 'failed']]);
  const seen = [];
  const stop = stopper();
  const errors = [];
  await client(cfg, { longPoll: false, onError: (e) => errors.push(e) }).run(async (token, ctx) => {
    assert.equal(typeof token, 'string');
    assert.equal(ctx.token, token);
    assert.equal(ctx.jti, jtiOf(token));
    const what = byToken.get(token);
    seen.push(what);
    if (seen.length === 3) stop.abort();
    if (what === 'refused') throw new SetError('invalid_state', 'app', 'not for this session');
    if (what === 'failed') throw new Error('backend down');
  }, { signal: stop.signal });
  assert.deepEqual(seen.sort(), ['failed', 'ok', 'refused']);
  assert.equal(errors.length, 1, 'the failing handler was reported');

  const q = await peer.queue(cfg);
  assert.deepEqual(q.set_errs.map((e) => [e.jti, e.err, e.description]), [[jtiOf(refused), 'invalid_state', 'not for this session']]);

  // After the redelivery timeout only the SET whose handler failed comes again.
  const again = [];
  const stop2 = stopper();
  await client(cfg, { longPoll: false, intervalMs: 100 }).run((token) => {
    again.push(token);
    stop2.abort();
  }, { signal: stop2.signal });
  assert.deepEqual(again.map((t) => byToken.get(t)), ['failed']);

  // Now everything is acknowledged: the stream hands out nothing more.
  const last = await peer.call('POST', cfg.delivery.endpoint_url, { body: { returnImmediately: true } });
  assert.deepEqual(last.json.sets, {});
});

test('long poll: a SET pushed while the poll waits is handed out; abort ends a waiting poll', { timeout: 90_000 }, async () => {
  const cfg = await peer.createStream();
  const stop = stopper();
  const got = [];
  const running = client(cfg).run((token) => {
    got.push(token);
    stop.abort();
  }, { signal: stop.signal });
  await new Promise((r) => setTimeout(r, 300));
  const [s] = await pushed(cfg, 1);
  await running;
  assert.deepEqual(got, [s]);
  // The handled SET was acknowledged on the way out.
  const left = await peer.call('POST', cfg.delivery.endpoint_url, { body: { returnImmediately: true } });
  assert.deepEqual(left.json.sets, {});

  // Nothing queued: the long poll waits, and aborting it resolves run().
  const idle = stopper();
  let calls = 0;
  const waiting = client(cfg).run(() => calls++, { signal: idle.signal });
  setTimeout(() => idle.abort(), 200);
  await waiting;
  assert.equal(calls, 0);
});

test('verify: the handler gets verified SETs; a SET failing verification goes to setErrs', { timeout: 90_000 }, async () => {
  const cfg = await peer.createStream();
  const [s] = await pushed(cfg, 1);
  const up = peer.upstream;
  const stop = stopper();
  const got = [];
  await client(cfg, { longPoll: false, verify: { jwks: up.jwks(), issuer: up.issuer, audience: up.audience } }).run((set) => {
    got.push(set);
    stop.abort();
  }, { signal: stop.signal });
  assert.equal(got[0].claims.jti, jtiOf(s));
  assert.equal(got[0].events[0].name, 'session-revoked');

  const [bad] = await pushed(cfg, 1);
  let called = false;
  const stop2 = stopper();
  const c = client(cfg, { longPoll: false, intervalMs: 50, verify: { jwks: up.jwks(), issuer: up.issuer, audience: 'https://not-us.example/' } });
  const run = c.run(() => (called = true), { signal: stop2.signal });
  for (let i = 0; i < 100; i++) {
    const q = await peer.queue(cfg);
    if (q.set_errs.some((e) => e.jti === jtiOf(bad))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  stop2.abort();
  await run;
  assert.equal(called, false);
  const q = await peer.queue(cfg);
  const entry = q.set_errs.find((e) => e.jti === jtiOf(bad));
  assert.equal(entry.err, 'invalid_audience');
});

test('backs off on network errors and carries on; a refused credential rejects run()', { timeout: 90_000 }, async () => {
  const cfg = await peer.createStream();
  const [s] = await pushed(cfg, 1);
  let failures = 0;
  const flaky = async (url, init) => {
    if (failures < 2) {
      failures++;
      throw new TypeError('fetch failed');
    }
    return fetch(url, init);
  };
  const errors = [];
  const stop = stopper();
  const got = [];
  await client(cfg, { longPoll: false, fetch: flaky, retryDelayMs: 10, maxRetryDelayMs: 20, onError: (e) => errors.push(e) }).run((t) => {
    got.push(t);
    stop.abort();
  }, { signal: stop.signal });
  assert.deepEqual(got, [s]);
  assert.equal(errors.length, 2);
  assert.ok(errors.every((e) => e instanceof SsfError && e.code === 'network_error'));

  const denied = new PollClient({ endpoint: cfg.delivery.endpoint_url, token: 'not-a-token', longPoll: false });
  await assert.rejects(denied.run(() => {}), (e) => e instanceof SsfError && e.status === 401 && e.code === 'unauthorized');
  // getToken is called per request.
  let asked = 0;
  const stop3 = stopper();
  await new PollClient({ endpoint: cfg.delivery.endpoint_url, getToken: async () => { asked++; stop3.abort(); return ALICE; }, longPoll: false })
    .run(() => {}, { signal: stop3.signal });
  assert.ok(asked >= 1);
});

test('options are checked', { timeout: 90_000 }, () => {
  assert.throws(() => new PollClient({ endpoint: 'https://x.example/poll' }), TypeError);
  assert.throws(() => new PollClient({ endpoint: 'nope', token: 't' }), TypeError);
  assert.throws(() => new PollClient({ endpoint: 'https://x.example/poll', token: 't', maxEvents: 0 }), TypeError);
});
