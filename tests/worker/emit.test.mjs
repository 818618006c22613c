// Originated events (DESIGN section 9): POST /ssf/events with an emitter token, signed by
// the worker and fanned out to exactly the streams that take them (event types, subjects,
// status, no source), by poll and by push; every invalid body leaves every queue untouched;
// targets beyond SSF_EMIT_DIRECT_TARGETS go through the Cloudflare Queue.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWorker, Upstream, PushReceiver, until, decodeClaims, jose, sleep, ALICE, BOB, EV, PUSH_METHOD,
} from './harness.mjs';

const EMITTER = 'emitter-token-4f1c';
const COMPROMISE = 'https://schemas.openid.net/secevent/risc/event-type/credential-compromise';
const aliceSub = { format: 'email', email: 'alice@example.com' };
const bobSub = { format: 'email', email: 'bob@example.com' };
const revoked = (extra = {}) => ({ [EV.sessionRevoked]: { event_timestamp: 1_700_000_000, ...extra } });
const changed = { [EV.credentialChange]: { event_timestamp: 1_700_000_000, credential_type: 'password', change_type: 'update' } };
const compromised = { [COMPROMISE]: { credential_type: 'password' } };

let w;
let up;
let rcv;
const S = {};
before(async () => {
  w = await startWorker({ vars: { SSF_EMITTER_TOKENS: JSON.stringify([EMITTER, 'second-emitter']) } });
  up = await Upstream.create();
  rcv = await PushReceiver.start();
  S.all = await w.createStream({});
  S.changeOnly = await w.createStream({ events_requested: [EV.credentialChange] });
  S.bobPush = await w.createStream({ delivery: { method: PUSH_METHOD, endpoint_url: rcv.url } }, BOB);
  S.relay = await w.createStream({ source: up.source() });
  S.paused = await w.createStream({});
  S.disabled = await w.createStream({});
  S.noAlice = await w.createStream({});
  for (const [cfg, status] of [[S.paused, 'paused'], [S.disabled, 'disabled']]) {
    const r = await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status } });
    assert.equal(r.status, 200, r.text);
  }
  const r = await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: S.noAlice.stream_id, subject: aliceSub } });
  assert.equal(r.status, 204, r.text);
  // The status announcements are not what these tests look at.
  for (const cfg of [S.all, S.changeOnly, S.relay, S.paused, S.disabled, S.noAlice]) await w.drain(cfg);
});
after(async () => { await w?.stop(); await rcv?.stop(); });

const emit = (body, token = EMITTER, opts = {}) => w.post('/ssf/events', { token, body, ...opts });
const ids = (r) => Object.keys(r.json.sets).sort();
const expect = (...cfgs) => cfgs.map((c) => c.stream_id).sort();
const pending = async (cfg, token = ALICE) => {
  const r = await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.pending + r.json.awaiting_ack;
};
const rcvEvents = () => rcv.got.map((g) => decodeClaims(g.body)).filter((c) => !c.events[EV.streamUpdated]);

/** Verifies an originated SET against the worker's jwks_uri; returns its claims. */
async function verified(token, cfg) {
  const disc = await w.discovery();
  const keys = jose.createLocalJWKSet((await w.request('GET', disc.jwks_uri)).json);
  const { payload, protectedHeader } = await jose.jwtVerify(token, keys, {
    issuer: disc.issuer, audience: cfg.aud, typ: 'secevent+jwt',
  });
  assert.ok(protectedHeader.kid, 'kid');
  assert.equal(payload.sub, undefined);
  assert.equal(payload.exp, undefined);
  return payload;
}

describe('POST /ssf/events: who may call it', () => {
  test('no token or an unknown one is 401, a receiver\'s token 403, other methods 405', async () => {
    const body = { sub_id: aliceSub, events: revoked() };
    const none = await w.post('/ssf/events', { body });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await emit(body, 'not-a-token')).status, 401);
    assert.equal((await emit(body, `${EMITTER}x`)).status, 401);
    const receiver = await emit(body, ALICE);
    assert.equal(receiver.status, 403, receiver.text);
    assert.equal((await w.get('/ssf/events', { token: EMITTER })).status, 405);
    assert.equal((await emit(body, 'second-emitter')).status, 202);
    await w.drain(S.all);
  });

  test('an emitter token is an unknown token everywhere else', async () => {
    for (const [method, p] of [['GET', '/ssf/streams'], ['GET', `/ssf/status?stream_id=${S.all.stream_id}`],
      ['GET', `/ssf/queue?stream_id=${S.all.stream_id}`]]) {
      assert.equal((await w.request(method, p, { token: EMITTER })).status, 401, p);
    }
    assert.equal((await w.poll(S.all, { returnImmediately: true }, EMITTER)).status, 401);
  });

  test('without SSF_EMITTER_TOKENS the endpoint does not exist', async () => {
    const plain = await startWorker();
    try {
      const r = await plain.post('/ssf/events', { token: ALICE, body: { sub_id: aliceSub, events: revoked() } });
      assert.equal(r.status, 404);
    } finally { await plain.stop(); }
  });
});

describe('POST /ssf/events: who gets what', () => {
  test('session-revoked reaches exactly the streams that take it, each SET its own', async () => {
    const heldBefore = await pending(S.paused);
    const r = await emit({ sub_id: aliceSub, events: revoked({ reason_admin: { en: 'laptop stolen' } }), txn: 'txn-42' });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(ids(r), expect(S.all, S.bobPush, S.paused));
    const jtis = Object.values(r.json.sets);
    assert.equal(new Set(jtis).size, jtis.length, 'distinct jti');

    const got = await w.drain(S.all);
    assert.deepEqual(Object.keys(got), [r.json.sets[S.all.stream_id]]);
    const claims = await verified(Object.values(got)[0], S.all);
    assert.deepEqual(claims.sub_id, aliceSub);
    assert.deepEqual(Object.keys(claims.events), [EV.sessionRevoked]);
    assert.deepEqual(claims.events[EV.sessionRevoked].reason_admin, { en: 'laptop stolen' });
    assert.equal(claims.txn, 'txn-42');
    assert.equal(claims.jti, r.json.sets[S.all.stream_id]);
    // The stream's activity log names the SET it was given, not its body.
    const log = await w.get(`/ssf/activity?stream_id=${S.all.stream_id}&kind=emitted`, { token: ALICE });
    assert.equal(log.status, 200, log.text);
    const entry = log.json.entries.find((e) => e.jti === claims.jti);
    assert.deepEqual(entry?.events, [EV.sessionRevoked]);
    assert.ok(!log.text.includes(Object.values(got)[0]), 'no SET body in the log');

    // Bob's push stream: pushed to his receiver, aud his.
    const pushed = await until('push', () => rcv.got.find((g) => decodeClaims(g.body).jti === r.json.sets[S.bobPush.stream_id]));
    const bobClaims = await verified(pushed.body, S.bobPush);
    assert.deepEqual(bobClaims.aud, S.bobPush.aud);
    assert.notDeepEqual(S.bobPush.aud, S.all.aud);

    // Paused: held, delivered once enabled.
    assert.deepEqual(await w.drain(S.paused), {});
    assert.equal(await pending(S.paused), heldBefore + 1);
    assert.equal((await w.post('/ssf/status', { token: ALICE, body: { stream_id: S.paused.stream_id, status: 'enabled' } })).status, 200);
    const held = await w.drain(S.paused);
    assert.ok(held[r.json.sets[S.paused.stream_id]], 'the held SET');
    assert.equal((await w.post('/ssf/status', { token: ALICE, body: { stream_id: S.paused.stream_id, status: 'paused' } })).status, 200);
    await w.drain(S.paused);

    for (const cfg of [S.changeOnly, S.relay, S.disabled, S.noAlice]) {
      assert.equal(await pending(cfg), 0, `nothing for ${cfg.description ?? cfg.stream_id}`);
    }
  });

  test('credential-change about bob reaches the change-only stream and the one that removed alice', async () => {
    const r = await emit({ sub_id: bobSub, events: changed });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(ids(r), expect(S.all, S.changeOnly, S.bobPush, S.paused, S.noAlice));
    for (const cfg of [S.all, S.changeOnly, S.noAlice]) {
      const got = await w.drain(cfg);
      const claims = await verified(got[r.json.sets[cfg.stream_id]], cfg);
      assert.deepEqual(Object.keys(claims.events), [EV.credentialChange]);
      assert.equal(claims.txn, undefined);
    }
    await w.drain(S.paused);
  });

  test('RISC credential-compromise, and a two-event body split per stream', async () => {
    const r = await emit({ sub_id: aliceSub, events: compromised });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(ids(r), expect(S.all, S.bobPush, S.paused));
    await w.drain(S.all);

    const both = await emit({ sub_id: bobSub, events: { ...revoked(), ...changed } });
    assert.equal(both.status, 202, both.text);
    const all = await w.drain(S.all);
    const allClaims = await verified(all[both.json.sets[S.all.stream_id]], S.all);
    assert.deepEqual(Object.keys(allClaims.events).sort(), [EV.sessionRevoked, EV.credentialChange].sort());
    const only = await w.drain(S.changeOnly);
    const onlyClaims = await verified(only[both.json.sets[S.changeOnly.stream_id]], S.changeOnly);
    assert.deepEqual(Object.keys(onlyClaims.events), [EV.credentialChange]);
    await w.drain(S.paused);
    await w.drain(S.noAlice);
  });

  test('changes answered 2xx take effect for the next emit: events, subjects, status, delete', async () => {
    const cfg = await w.createStream({ events_requested: [EV.credentialChange] });
    const body = { sub_id: aliceSub, events: revoked() };
    assert.ok(!ids(await emit(body)).includes(cfg.stream_id));
    const patched = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, events_requested: [EV.sessionRevoked] } });
    assert.equal(patched.status, 200, patched.text);
    assert.ok(ids(await emit(body)).includes(cfg.stream_id), 'after PATCH');
    await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject: aliceSub } });
    assert.ok(!ids(await emit(body)).includes(cfg.stream_id), 'after subject removed');
    await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject: aliceSub } });
    assert.ok(ids(await emit(body)).includes(cfg.stream_id), 'after subject added');
    await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'disabled' } });
    assert.ok(!ids(await emit(body)).includes(cfg.stream_id), 'disabled');
    await w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status: 'enabled' } });
    assert.ok(ids(await emit(body)).includes(cfg.stream_id), 'enabled again');
    assert.equal((await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE })).status, 204);
    assert.ok(!ids(await emit(body)).includes(cfg.stream_id), 'deleted');
    for (const c of [S.all, S.paused, S.noAlice]) await w.drain(c);
  });
});

describe('POST /ssf/events: invalid bodies queue nothing anywhere', () => {
  test('every invalid class is 400 invalid_request naming the member (413 / 415 for size / type)', async () => {
    await sleep(300);
    const before = rcv.got.length;
    const queues = [S.all, S.changeOnly, S.relay, S.paused, S.disabled, S.noAlice];
    const counts = async () => [...await Promise.all(queues.map((c) => pending(c))), await pending(S.bobPush, BOB)];
    const countsBefore = await counts();
    const cases = [
      [{ sub_id: aliceSub, events: { 'https://example.com/unknown-event': {} } }, /not an event type/],
      [{ sub_id: { format: 'email' }, events: revoked() }, /sub_id/],
      [{ sub_id: { format: 'emial', email: 'a@b.c' }, events: revoked() }, /sub_id/],
      [{ events: revoked() }, /sub_id/],
      [{ sub_id: aliceSub, events: { [EV.credentialChange]: { event_timestamp: 1, change_type: 'update' } } }, /credential_type/],
      [{ sub_id: aliceSub, events: { [EV.credentialChange]: { event_timestamp: 1, credential_type: 'password', change_type: 'destroy' } } }, /change_type/],
      [{ sub_id: aliceSub, events: { [COMPROMISE]: {} } }, /credential_type/],
      [{ sub_id: aliceSub, events: { [EV.verification]: {} } }, /verification|node itself/],
      [{ sub_id: aliceSub, events: revoked(), txn: 5 }, /txn/],
      [{ sub_id: aliceSub, events: revoked(), extra: true }, /extra/],
      [{ sub_id: aliceSub, events: {} }, /events/],
    ];
    for (const [body, why] of cases) {
      const r = await emit(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.err, 'invalid_request');
      assert.match(r.json.description, why, JSON.stringify(body));
    }
    const raw = (rawBody, headers = { 'content-type': 'application/json' }) =>
      w.request('POST', '/ssf/events', { token: EMITTER, rawBody, headers });
    const notJson = await raw('{"sub_id": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.err, 'invalid_request');
    const huge = JSON.stringify({ sub_id: aliceSub, events: revoked({ reason_admin: { en: 'x'.repeat(70 * 1024) } }) });
    assert.ok([400, 413].includes((await raw(huge)).status));
    assert.equal((await raw(JSON.stringify({ sub_id: aliceSub, events: revoked() }), { 'content-type': 'text/plain' })).status, 415);

    assert.deepEqual(await counts(), countsBefore, 'no queue changed');
    await sleep(500);
    assert.equal(rcv.got.length, before, 'nothing pushed');
  });
});

describe('POST /ssf/events: beyond SSF_EMIT_DIRECT_TARGETS, through the Cloudflare Queue', () => {
  test('every target gets the SET named in the answer, once', async () => {
    const q = await startWorker({
      emitQueue: true,
      vars: { SSF_EMITTER_TOKENS: JSON.stringify([EMITTER]), SSF_EMIT_DIRECT_TARGETS: 2, SSF_EMIT_CONCURRENCY: 2 },
    });
    try {
      const cfgs = [];
      for (let i = 0; i < 7; i++) cfgs.push(await q.createStream({}, i % 2 ? BOB : ALICE));
      const tokenOf = (cfg) => (cfgs.indexOf(cfg) % 2 ? BOB : ALICE);
      for (const cfg of cfgs) await q.drain(cfg, tokenOf(cfg));
      const r = await q.post('/ssf/events', { token: EMITTER, body: { sub_id: aliceSub, events: revoked() } });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(Object.keys(r.json.sets).sort(), cfgs.map((c) => c.stream_id).sort());
      for (const cfg of cfgs) {
        const jti = r.json.sets[cfg.stream_id];
        const got = await until(`queued SET for ${cfg.stream_id}`, async () => {
          const p = await q.poll(cfg, { returnImmediately: true }, tokenOf(cfg));
          return p.json.sets[jti] ? p.json.sets : null;
        });
        assert.deepEqual(Object.keys(got), [jti], 'exactly the named SET');
        assert.equal(decodeClaims(got[jti]).jti, jti);
      }
    } finally { await q.stop(); }
  });
});

describe('POST /ssf/events: a full queue behind the Cloudflare Queue', () => {
  test('a SET the answer named is waited out, not dropped, while its stream is full', async () => {
    const q = await startWorker({
      emitQueue: true,
      vars: { SSF_EMITTER_TOKENS: JSON.stringify([EMITTER]), SSF_EMIT_DIRECT_TARGETS: 0, SSF_MAX_QUEUED_SETS: 1 },
    });
    try {
      const cfg = await q.createStream({});
      const send = () => q.post('/ssf/events', { token: EMITTER, body: { sub_id: aliceSub, events: revoked() } });
      const first = await send();
      const jti1 = first.json.sets[cfg.stream_id];
      await until('first stored', async () => (await q.poll(cfg, { returnImmediately: true, maxEvents: 0 })).status === 200
        && (await q.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE })).json.pending === 1);
      const second = await send();
      assert.equal(second.status, 202, second.text);
      const jti2 = second.json.sets[cfg.stream_id];
      await sleep(600); // the consumer meets the full queue, and retries
      const got = await until('both SETs', async () => {
        const p = await q.poll(cfg, { returnImmediately: true, ack: [jti1] });
        return p.json.sets[jti2] ? p.json.sets : null;
      });
      assert.ok(got[jti2], 'the second SET arrived once the first was acknowledged');
    } finally { await q.stop(); }
  });
});

describe("POST /ssf/events: the README's example", () => {
  test('the body the README sends is accepted and reaches a stream', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { ROOT } = await import('./harness.mjs');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Originating events'), readme.indexOf('### Connecting Google or Okta'));
    const body = JSON.parse(section.match(/-d '(\{[\s\S]*?\})'/)[1]);
    const r = await emit(body);
    assert.equal(r.status, 202, r.text);
    assert.ok(r.json.sets[S.all.stream_id], 'the stream taking every event got it');
    const claims = await verified((await w.drain(S.all))[r.json.sets[S.all.stream_id]], S.all);
    assert.equal(claims.txn, body.txn);
    for (const c of [S.paused, S.noAlice]) await w.drain(c);
  });
});
