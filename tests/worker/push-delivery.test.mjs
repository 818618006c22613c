// RFC 8935 push delivery out of a stream to its receiver (DESIGN section 8), driven by the
// stream object's alarm: what arrives (headers, body verbatim, count), 2xx delivered once,
// 400 recorded and never retried, failures retried with backoff until the receiver is
// back, bounded concurrency, paused / enabled / disabled, push <-> poll switching, and a
// restart on persisted state with pending pushes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWorker, Upstream, PushReceiver as Receiver, until, decodeClaims, sleep, tempDir, ALICE, EV,
  PUSH_METHOD, POLL_METHOD,
} from './harness.mjs';

const VARS = { SSF_PUSH_RETRY_SECONDS: 1, SSF_PUSH_MAX_BACKOFF_SECONDS: 2, SSF_PUSH_TIMEOUT_SECONDS: 1 };
let w;
let up;
before(async () => {
  w = await startWorker({ vars: VARS });
  up = await Upstream.create();
});
after(async () => { await w?.stop(); });

const pushStream = (rcv, extra = {}) => w.createStream({
  source: up.source(), delivery: { method: PUSH_METHOD, endpoint_url: rcv.url, ...extra },
});
const queueInfo = async (cfg) => (await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE })).json;
const setStatus = (cfg, status) => w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status } });
const relayed = (r) => r.got.filter((g) => !decodeClaims(g.body).events[EV.streamUpdated]);

describe('push delivery', () => {
  test('discovery lists both methods; a push stream reads back its delivery as given', async () => {
    const d = await w.discovery();
    assert.deepEqual([...d.delivery_methods_supported].sort(), [POLL_METHOD, PUSH_METHOD].sort());
    const rcv = await Receiver.start();
    try {
      const cfg = await pushStream(rcv, { authorization_header: 'Bearer receiver-secret' });
      assert.deepEqual(cfg.delivery, { method: PUSH_METHOD, endpoint_url: rcv.url, authorization_header: 'Bearer receiver-secret' });
      const read = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
      assert.deepEqual(read.json.delivery, cfg.delivery);
    } finally { await rcv.stop(); }
  });

  test('bad endpoint URLs and unknown methods are 400 naming the member', async () => {
    for (const endpoint_url of ['http://receiver.example.com/e', 'https://u:p@receiver.example.com/e',
      'https://receiver.example.com/e#f', 'https://10.1.2.3/e', 'not a url']) {
      const r = await w.post('/ssf/streams', { token: ALICE, body: { delivery: { method: PUSH_METHOD, endpoint_url } } });
      assert.equal(r.status, 400, `${endpoint_url}: ${r.text}`);
      assert.match(r.json.description, /delivery|endpoint_url/);
    }
    const missing = await w.post('/ssf/streams', { token: ALICE, body: { delivery: { method: PUSH_METHOD } } });
    assert.equal(missing.status, 400);
    const other = await w.post('/ssf/streams', { token: ALICE, body: { delivery: { method: 'urn:example:carrier-pigeon' } } });
    assert.equal(other.status, 400);
  });

  test('a SET pushed in is pushed out verbatim with the receiver\'s Authorization, once', async () => {
    const rcv = await Receiver.start();
    try {
      const cfg = await pushStream(rcv, { authorization_header: 'Bearer receiver-secret' });
      const set = await up.sign();
      assert.equal((await w.push(cfg, set)).status, 202);
      await until('delivery', () => rcv.got.length >= 1);
      const g = rcv.got[0];
      assert.equal(g.method, 'POST');
      assert.equal(g.url, '/events');
      assert.equal(g.headers['content-type'], 'application/secevent+jwt');
      assert.equal(g.headers.accept, 'application/json');
      assert.equal(g.headers.authorization, 'Bearer receiver-secret');
      assert.equal(g.body, set);
      await until('push state', async () => (await queueInfo(cfg)).push?.last_success_at);
      await sleep(1500);
      assert.equal(rcv.got.length, 1, 'nothing delivered twice after a 2xx');
      const info = await queueInfo(cfg);
      assert.equal(info.push.consecutive_failures, 0);
      assert.equal(info.push.next_attempt_at, null);
      // A push stream is not polled.
      assert.equal((await w.post(`/ssf/poll/${cfg.stream_id}`, { token: ALICE, body: { returnImmediately: true } })).status, 400);
    } finally { await rcv.stop(); }
  });

  test('no Authorization header at all when none is configured; 200 counts as delivered', async () => {
    const rcv = await Receiver.start();
    rcv.answer = () => ({ status: 200 });
    try {
      const cfg = await pushStream(rcv);
      assert.equal((await w.push(cfg, await up.sign())).status, 202);
      await until('delivery', () => rcv.got.length >= 1);
      assert.equal(rcv.got[0].headers.authorization, undefined);
      await until('success', async () => (await queueInfo(cfg)).push.last_success_at);
    } finally { await rcv.stop(); }
  });

  test('a 400 is recorded with its error body and never retried', async () => {
    const rcv = await Receiver.start();
    rcv.answer = () => ({ status: 400, body: { err: 'invalid_audience', description: 'not for us' } });
    try {
      const cfg = await pushStream(rcv);
      const set = await up.sign();
      assert.equal((await w.push(cfg, set)).status, 202);
      await until('refusal', () => rcv.got.length >= 1);
      const info = await until('record', async () => {
        const i = await queueInfo(cfg);
        return i.set_errs.length ? i : null;
      });
      assert.equal(info.set_errs[0].jti, decodeClaims(set).jti);
      assert.equal(info.set_errs[0].err, 'invalid_audience');
      assert.equal(info.set_errs[0].description, 'not for us');
      assert.equal(info.push.last_failure.status, 400);
      assert.equal(info.push.last_failure.err, 'invalid_audience');
      assert.equal(info.push.consecutive_failures, 0, 'a refusal is not a retryable failure');
      await sleep(2500);
      assert.equal(rcv.got.length, 1, 'not retried');
    } finally { await rcv.stop(); }
  });

  test('500 then 202: retried with backoff, then delivered; failures counted and reset', async () => {
    const rcv = await Receiver.start();
    let n = 0;
    rcv.answer = () => ({ status: ++n <= 2 ? 500 : 202 });
    try {
      const cfg = await pushStream(rcv);
      const set = await up.sign();
      assert.equal((await w.push(cfg, set)).status, 202);
      await until('first failure', async () => (await queueInfo(cfg)).push.consecutive_failures >= 1);
      const failing = await queueInfo(cfg);
      assert.equal(failing.push.last_failure.status, 500);
      assert.equal(typeof failing.push.next_attempt_at, 'number');
      await until('delivery after retries', () => rcv.got.length >= 3, 20000);
      const info = await until('success', async () => {
        const i = await queueInfo(cfg);
        return i.push.last_success_at ? i : null;
      });
      assert.equal(info.push.consecutive_failures, 0);
      assert.deepEqual(rcv.bodies(), [set, set, set]);
      assert.ok(rcv.got.length === 3);
    } finally { await rcv.stop(); }
  });

  test('a receiver slower than the timeout is retried; one that is down gets everything once back', async () => {
    const rcv = await Receiver.start();
    rcv.answer = () => ({ status: 202, delayMs: 3000 });
    const cfg = await pushStream(rcv);
    const sets = [await up.sign(), await up.sign(), await up.sign()];
    for (const s of sets) assert.equal((await w.push(cfg, s)).status, 202);
    await until('timeouts counted', async () => (await queueInfo(cfg)).push.consecutive_failures >= 1, 20000);
    assert.equal((await queueInfo(cfg)).push.last_failure.status, null);
    // Down: connection refused.
    const port = rcv.port;
    await rcv.stop();
    await sleep(1500);
    const back = await Receiver.start(port);
    try {
      await until('all delivered', async () => {
        const uniq = new Set(back.bodies());
        return sets.every((s) => uniq.has(s)) && (await queueInfo(cfg)).push.next_attempt_at === null;
      }, 30000);
    } finally { await back.stop(); }
  });

  test('at most SSF_PUSH_CONCURRENCY requests in flight per stream', async () => {
    const rcv = await Receiver.start();
    rcv.answer = () => ({ status: 202, delayMs: 300 });
    try {
      const cfg = await pushStream(rcv);
      for (let i = 0; i < 12; i++) assert.equal((await w.push(cfg, await up.sign())).status, 202);
      await until('all 12', () => rcv.got.length >= 12, 20000);
      assert.ok(rcv.maxInFlight <= 4, `max in flight ${rcv.maxInFlight}`);
      assert.ok(rcv.maxInFlight >= 2, 'requests do overlap');
    } finally { await rcv.stop(); }
  });

  test('paused holds (its announcement goes out), enabled resumes, disabled drops', async () => {
    const rcv = await Receiver.start();
    try {
      const cfg = await pushStream(rcv);
      assert.equal((await setStatus(cfg, 'paused')).status, 200);
      const held = await up.sign();
      assert.equal((await w.push(cfg, held)).status, 202);
      await until('paused announcement', () => rcv.got.length >= 1);
      await sleep(1500);
      assert.equal(relayed(rcv).length, 0, 'nothing relayed while paused');
      assert.equal(decodeClaims(rcv.got[0].body).events[EV.streamUpdated].status, 'paused');
      assert.equal((await setStatus(cfg, 'enabled')).status, 200);
      await until('held SET delivered', () => relayed(rcv).length === 1);
      assert.equal(relayed(rcv)[0].body, held);
      assert.equal((await setStatus(cfg, 'disabled')).status, 200);
      assert.equal((await w.push(cfg, await up.sign())).status, 202);
      await until('disabled announcement', () => rcv.got.some((g) => decodeClaims(g.body).events[EV.streamUpdated]?.status === 'disabled'));
      await sleep(1500);
      assert.equal(relayed(rcv).length, 1, 'nothing relayed while disabled');
    } finally { await rcv.stop(); }
  });

  test('verification SETs are pushed too; switching poll <-> push keeps what is queued', async () => {
    const rcv = await Receiver.start();
    try {
      const cfg = await w.createStream({ source: up.source() });
      const queued = await up.sign();
      assert.equal((await w.push(cfg, queued)).status, 202);
      const r = await w.request('PATCH', '/ssf/streams', {
        token: ALICE, body: { stream_id: cfg.stream_id, delivery: { method: PUSH_METHOD, endpoint_url: rcv.url } },
      });
      assert.equal(r.status, 200, r.text);
      await until('queued SET pushed after the switch', () => rcv.bodies().includes(queued));
      assert.equal((await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: 'abc' } })).status, 204);
      await until('verification pushed', () => rcv.got.some((g) => decodeClaims(g.body).events[EV.verification]?.state === 'abc'));
      // Back to poll while the receiver is down: what is queued waits for the poller.
      await rcv.stop();
      const later = await up.sign();
      assert.equal((await w.push(cfg, later)).status, 202);
      const back = await w.request('PATCH', '/ssf/streams', {
        token: ALICE, body: { stream_id: cfg.stream_id, delivery: { method: POLL_METHOD } },
      });
      assert.equal(back.status, 200, back.text);
      assert.ok(Object.values(await w.drain(back.json)).includes(later));
    } finally { await rcv.stop().catch(() => {}); }
  });
});

describe('restart', () => {
  test('pending pushes survive a restart on the same state and go out once the receiver is back', async () => {
    const dir = tempDir();
    const probe = await Receiver.start();
    const port = probe.port;
    const url = probe.url;
    await probe.stop(); // down from the start
    let w1 = await startWorker({ persist: dir, vars: VARS });
    const cfg = await w1.createStream({ source: up.source(), delivery: { method: PUSH_METHOD, endpoint_url: url } });
    const sets = [await up.sign(), await up.sign()];
    for (const s of sets) assert.equal((await w1.push(cfg, s)).status, 202);
    await sleep(1200);
    await w1.stop();
    const rcv = await Receiver.start(port);
    w1 = await startWorker({ persist: dir, vars: VARS });
    try {
      // No request reaches the worker: the stored alarm alone resumes delivery.
      await until('delivered after restart', () => sets.every((s) => rcv.bodies().includes(s)), 30000);
    } finally {
      await w1.stop();
      await rcv.stop();
    }
  });
});
