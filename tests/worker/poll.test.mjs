// RFC 8936 poll out of a stream: maxEvents, moreAvailable, acknowledge-only, long polling
// woken by new SETs, redelivery, setErrs, paused / disabled streams, retention; and the
// transmitter plan's verification checks (poll-only, poll-and-ack, ack-only) with every
// check of the SETs the worker emits, and the CAEP interoperability profile.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, Upstream, checkWorkerSet, decodeClaims, sleep, ALICE, BOB, EV } from './harness.mjs';

let w;
let up;
before(async () => {
  w = await startWorker({ vars: { SSF_LONG_POLL_SECONDS: 3, SSF_REDELIVERY_SECONDS: 2 } });
  up = await Upstream.create();
});
after(async () => {
  await w?.stop();
});

async function pushN(cfg, n, opts) {
  const sets = [];
  for (let i = 0; i < n; i++) {
    const s = await up.sign(opts);
    const r = await w.push(cfg, s);
    assert.equal(r.status, 202, r.text);
    sets.push(s);
  }
  return sets;
}

const jtiOf = (s) => decodeClaims(s).jti;

describe('poll', () => {
  test('an empty stream answers {"sets": {}} at once with returnImmediately', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const r = await w.poll(cfg, { returnImmediately: true });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /application\/json/);
    assert.deepEqual(r.json.sets, {});
    assert.ok(!r.json.moreAvailable);
  });

  test('an empty body is a valid (long) poll', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const [s] = await pushN(cfg, 1);
    const r = await w.request('POST', cfg.delivery.endpoint_url, { token: ALICE });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.values(r.json.sets), [s]);
  });

  test('maxEvents bounds the answer, oldest first, and moreAvailable tells the rest', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const sets = await pushN(cfg, 5);
    const r1 = await w.poll(cfg, { returnImmediately: true, maxEvents: 2 });
    assert.deepEqual(Object.values(r1.json.sets), sets.slice(0, 2));
    assert.equal(r1.json.moreAvailable, true);
    for (const [jti, s] of Object.entries(r1.json.sets)) assert.equal(jti, jtiOf(s));
    const r2 = await w.poll(cfg, { returnImmediately: true, maxEvents: 2, ack: Object.keys(r1.json.sets) });
    assert.deepEqual(Object.values(r2.json.sets), sets.slice(2, 4));
    assert.equal(r2.json.moreAvailable, true);
    const r3 = await w.poll(cfg, { returnImmediately: true, maxEvents: 2, ack: Object.keys(r2.json.sets) });
    assert.deepEqual(Object.values(r3.json.sets), sets.slice(4));
    assert.equal(r3.json.moreAvailable, false);
  });

  test('maxEvents 0 acknowledges only and returns no SETs', async () => {
    const cfg = await w.createStream({ source: up.source() });
    await pushN(cfg, 2);
    const r1 = await w.poll(cfg, { returnImmediately: true });
    assert.equal(Object.keys(r1.json.sets).length, 2);
    // No returnImmediately: an acknowledge-only request is still answered at once.
    const r2 = await w.poll(cfg, { maxEvents: 0, ack: Object.keys(r1.json.sets) });
    assert.equal(r2.status, 200);
    assert.deepEqual(r2.json.sets, {});
    await sleep(2200); // past the redelivery timeout: acknowledged SETs are not redelivered
    assert.deepEqual((await w.poll(cfg)).json.sets, {});
  });

  test('a long poll is woken by a newly pushed SET', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const pending = w.poll(cfg, {});
    await sleep(300);
    const [s] = await pushN(cfg, 1);
    const r = await pending;
    assert.equal(r.status, 200);
    assert.deepEqual(Object.values(r.json.sets), [s], 'the waiting poll got the SET (not an empty timeout answer)');
  });

  test('a long poll on an empty stream ends with an empty answer (bounded)', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const r = await w.poll(cfg, { returnImmediately: false });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.sets, {});
  });

  test('unacknowledged SETs are delivered again after the redelivery timeout; acked ones never', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const [a, b] = await pushN(cfg, 2);
    const r1 = await w.poll(cfg, { returnImmediately: true });
    assert.equal(Object.keys(r1.json.sets).length, 2);
    const r2 = await w.poll(cfg, { returnImmediately: true, ack: [jtiOf(a)] });
    assert.deepEqual(r2.json.sets, {}, 'delivered, not yet due for redelivery');
    await sleep(2200);
    const r3 = await w.poll(cfg, { returnImmediately: true });
    assert.deepEqual(Object.values(r3.json.sets), [b], 'only the unacknowledged SET again');
    // The receiver acknowledges again a SET it already acknowledged: fine.
    const r4 = await w.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: [jtiOf(a), jtiOf(b)] });
    assert.equal(r4.status, 200);
    await sleep(2200);
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {});
  });

  test('setErrs are recorded for the operator and end redelivery', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const [s] = await pushN(cfg, 1);
    await w.poll(cfg, { returnImmediately: true });
    const r = await w.request('POST', cfg.delivery.endpoint_url, {
      token: ALICE,
      headers: { 'content-language': 'en' },
      body: { returnImmediately: true, setErrs: { [jtiOf(s)]: { err: 'invalid_key', description: 'unknown key' } } },
    });
    assert.equal(r.status, 200, r.text);
    const info = await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(info.status, 200);
    assert.equal(info.headers.get('cache-control'), 'no-store');
    assert.equal(info.json.set_errs.length, 1);
    assert.equal(info.json.set_errs[0].jti, jtiOf(s));
    assert.equal(info.json.set_errs[0].err, 'invalid_key');
    assert.equal(info.json.set_errs[0].description, 'unknown key');
    assert.equal((await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: BOB })).status, 404);
    await sleep(2200);
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {});
  });

  test('a paused stream holds SETs and delivers them once enabled; its announcement comes first', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const status = (s) => w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: s } });
    const updatesIn = (sets) => Object.values(sets).map(decodeClaims)
      .filter((c) => c.events[EV.streamUpdated]).map((c) => c.events[EV.streamUpdated].status);
    assert.equal((await status('paused')).status, 200);
    const held = await pushN(cfg, 2);
    // SSF 1.0: the stream-updated SET is sent before delivery stops, so it is the one SET a
    // paused stream delivers.
    const whilePaused = (await w.poll(cfg, { returnImmediately: true })).json.sets;
    assert.deepEqual(updatesIn(whilePaused), ['paused']);
    assert.equal(Object.keys(whilePaused).length, 1, 'nothing else while paused');
    await w.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: Object.keys(whilePaused) });
    assert.equal((await status('enabled')).status, 200);
    const got = await w.drain(cfg);
    const values = Object.values(got);
    for (const s of held) assert.ok(values.includes(s), 'held SET delivered after enabling');
    assert.deepEqual(updatesIn(got), ['enabled'], 'stream-updated(enabled) on re-enabling');
  });

  test('a disabled stream drops queued and arriving SETs, and announces that it is disabled', async () => {
    const cfg = await w.createStream({ source: up.source() });
    const status = (s) => w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: s } });
    await pushN(cfg, 1);
    assert.equal((await status('disabled')).status, 200);
    const r = await w.push(cfg, await up.sign());
    assert.equal(r.status, 202, 'still answered 202');
    const announced = Object.values(await w.drain(cfg)).map(decodeClaims);
    assert.equal(announced.length, 1, 'only the stream-updated(disabled) SET');
    assert.equal(announced[0].events[EV.streamUpdated].status, 'disabled');
    assert.equal((await status('disabled')).status, 200);
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {}, 'no repeat without a change');
    assert.equal((await status('enabled')).status, 200);
    const values = Object.values(await w.drain(cfg)).map(decodeClaims);
    assert.equal(values.length, 1, 'only the stream-updated(enabled) SET');
    assert.equal(values[0].events[EV.streamUpdated].status, 'enabled');
  });

  test('a full queue answers 429; a repeat of a held SET is still 202; an ack makes room', async () => {
    const w2 = await startWorker({ vars: { SSF_MAX_QUEUED_SETS: 2 } });
    try {
      const cfg = await w2.createStream({ source: up.source() });
      const first = await up.sign();
      assert.equal((await w2.push(cfg, first)).status, 202);
      assert.equal((await w2.push(cfg, await up.sign())).status, 202);
      const refused = await w2.push(cfg, await up.sign());
      assert.equal(refused.status, 429, refused.text);
      assert.equal((await w2.push(cfg, first)).status, 202, 'a duplicate is not refused');
      assert.equal(Object.keys(await w2.drain(cfg)).length, 2);
      assert.equal((await w2.push(cfg, await up.sign())).status, 202, 'room after the acks');
    } finally {
      await w2.stop();
    }
  });

  test('SETs expire after the retention period', async () => {
    const w2 = await startWorker({ vars: { SSF_RETENTION_SECONDS: 1 } });
    try {
      const cfg = await w2.createStream({ source: up.source() });
      assert.equal((await w2.push(cfg, await up.sign())).status, 202);
      await sleep(1500);
      assert.deepEqual((await w2.poll(cfg, { returnImmediately: true })).json.sets, {});
    } finally {
      await w2.stop();
    }
  });
});

describe('verification (transmitter plan)', () => {
  async function verifyAndPoll(cfg, state) {
    const body = { stream_id: cfg.stream_id };
    if (state !== undefined) body.state = state;
    const r = await w.post('/ssf/verify', { token: ALICE, body });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    const p = await w.poll(cfg, { returnImmediately: true });
    assert.equal(p.status, 200);
    const sets = Object.entries(p.json.sets);
    assert.equal(sets.length, 1);
    const [jti, token] = sets[0];
    const { payload } = await checkWorkerSet(w, token, cfg);
    assert.equal(payload.jti, jti);
    assert.ok(payload.events[EV.verification], 'a verification event');
    assert.equal(payload.events[EV.verification].state, state);
    return jti;
  }

  test('poll-only: the verification SET echoes state and passes every check', async () => {
    const cfg = await w.createStream({});
    await verifyAndPoll(cfg, 'state-1');
  });

  test('poll-and-ack: acknowledged with the next poll', async () => {
    const cfg = await w.createStream({});
    const jti = await verifyAndPoll(cfg, 'state-2');
    const r = await w.poll(cfg, { returnImmediately: true, ack: [jti] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.sets, {});
    await sleep(2200);
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {});
  });

  test('ack-only: maxEvents 0 with ack', async () => {
    const cfg = await w.createStream({});
    const jti = await verifyAndPoll(cfg); // no state: none in the event
    const r = await w.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: [jti] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.sets, {});
    await sleep(2200);
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {});
  });

  test('stream-updated SETs pass every check too', async () => {
    const cfg = await w.createStream({});
    await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'paused', reason: 'maintenance' } });
    await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'enabled' } });
    const got = Object.values(await w.drain(cfg));
    assert.equal(got.length, 2);
    for (const token of got) {
      const { payload } = await checkWorkerSet(w, token, cfg);
      assert.ok(payload.events[EV.streamUpdated]);
    }
    const first = decodeClaims(got[0]).events[EV.streamUpdated];
    // The reason says who made the change, then the receiver's own words.
    assert.deepEqual(first, { status: 'paused', reason: "paused at the receiver's request (status endpoint): maintenance" });
  });
});

describe('CAEP interoperability profile', () => {
  test('worker SETs are RS256 with a 2048-bit key and one event; a CAEP RS256 push is relayed', async () => {
    const jwks = await w.jwks();
    const k = jwks.keys[0];
    assert.equal(k.kty, 'RSA');
    assert.ok(Buffer.from(k.n, 'base64url').length * 8 >= 2048);
    const caep = await Upstream.create({ alg: 'RS256' });
    const cfg = await w.createStream({ source: caep.source({ algorithms: ['RS256'] }), events_requested: [EV.sessionRevoked, EV.credentialChange] });
    assert.equal((await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: 'interop' } })).status, 204);
    const revoked = await caep.sign({ event: EV.sessionRevoked, subject: { format: 'iss_sub', iss: caep.issuer, sub: 'u1' } });
    const changed = await caep.sign({
      event: EV.credentialChange,
      subject: { format: 'email', email: 'u1@example.com' },
      eventBody: { credential_type: 'fido2-roaming', change_type: 'create', reason_admin: { en: 'new key' } },
    });
    for (const s of [revoked, changed]) assert.equal((await w.push(cfg, s)).status, 202);
    const got = Object.values(await w.drain(cfg));
    assert.equal(got.length, 3);
    const mine = got.filter((t) => decodeClaims(t).iss === cfg.iss);
    assert.equal(mine.length, 1);
    const { header } = await checkWorkerSet(w, mine[0], cfg);
    assert.equal(header.alg, 'RS256');
    assert.ok(got.includes(revoked) && got.includes(changed));
  });
});
