// The activity log of each stream (DESIGN section 12): one test per entry kind the worker
// writes, `GET /ssf/activity` paging / filtering / limits / isolation, retention by count,
// the console's summary in `GET /ssf/queue`, and a scan of every answer and of the worker's
// log output for the secrets and SETs the tests used.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWorker, Upstream, PushReceiver, until, ALICE, BOB, EV, PUSH_METHOD,
} from './harness.mjs';

const MAX_ENTRIES = 40;
const output = [];
const bodies = [];
const secrets = new Set([ALICE, BOB]);
const RECEIVER_SECRET = 'Bearer receiver-secret-7f3a9c';
secrets.add(RECEIVER_SECRET);

let w;
let up;
before(async () => {
  w = await startWorker({
    vars: {
      SSF_ACTIVITY_MAX_ENTRIES: MAX_ENTRIES,
      SSF_PUSH_RETRY_SECONDS: 1,
      SSF_PUSH_MAX_BACKOFF_SECONDS: 1,
      SSF_PUSH_TIMEOUT_SECONDS: 1,
    },
    onOutput: (t) => output.push(t),
  });
  // Every answer the tests see is kept for the final scan.
  const request = w.request.bind(w);
  w.request = async (...args) => {
    const r = await request(...args);
    bodies.push(r.text);
    return r;
  };
  up = await Upstream.create();
});
after(async () => { await w?.stop(); });

async function stream(extra = {}) {
  const cfg = await w.createStream({ source: up.source(), ...extra });
  secrets.add(cfg.push.authorization_header);
  return cfg;
}
async function signed(opts) {
  const set = await up.sign(opts);
  secrets.add(set);
  return set;
}
const activity = (cfg, query = '', token = ALICE) =>
  w.get(`/ssf/activity?stream_id=${cfg.stream_id}${query}`, { token });
async function entries(cfg, kind) {
  const r = await activity(cfg, `&limit=1000${kind ? `&kind=${kind}` : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}
const one = async (cfg, kind) => {
  const e = await entries(cfg, kind);
  assert.equal(e.length, 1, `${kind}: ${JSON.stringify(e)}`);
  return e[0];
};
const jtiOf = (set) => JSON.parse(Buffer.from(set.split('.')[1], 'base64url')).jti;

describe('activity log entries', () => {
  test('push_accepted names jti, iss, events and sub_id; entries are flat with id and at', async () => {
    const cfg = await stream();
    const set = await signed();
    const before = Date.now();
    assert.equal((await w.push(cfg, set)).status, 202);
    const e = await one(cfg, 'push_accepted');
    assert.deepEqual(Object.keys(e).sort(), ['at', 'events', 'id', 'iss', 'jti', 'kind', 'sub_id']);
    assert.equal(e.jti, jtiOf(set));
    assert.equal(e.iss, up.issuer);
    assert.deepEqual(e.events, [EV.sessionRevoked]);
    assert.deepEqual(e.sub_id, { format: 'email', email: 'user@example.com' });
    assert.ok(Number.isInteger(e.id) && e.at >= before - 1000 && e.at <= Date.now() + 1000);
    const r = await activity(cfg);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('push_duplicate names the jti of a repeated SET', async () => {
    const cfg = await stream();
    const set = await signed();
    await w.push(cfg, set);
    assert.equal((await w.push(cfg, set)).status, 202);
    const e = await one(cfg, 'push_duplicate');
    assert.equal(e.jti, jtiOf(set));
    assert.equal((await entries(cfg, 'push_accepted')).length, 1);
  });

  test('push_rejected carries status, err, reason, description and jti; unauthenticated pushes are only counted', async () => {
    const cfg = await stream();
    const wrongAud = await signed({ claims: { aud: 'https://someone-else.example.com' } });
    assert.equal((await w.push(cfg, wrongAud)).status, 400);
    assert.equal((await w.push(cfg, 'not-a-jwt', {})).status, 400);
    assert.equal((await w.push(cfg, await signed(), { contentType: 'application/json' })).status, 400);
    for (const authorization of [null, 'Bearer wrong']) {
      assert.equal((await w.push(cfg, await signed(), { authorization })).status, 401);
    }
    const rejected = await entries(cfg, 'push_rejected');
    assert.equal(rejected.length, 3, JSON.stringify(rejected));
    const [aud, garbage, type] = rejected;
    assert.equal(aud.status, 400);
    assert.equal(aud.err, 'invalid_audience');
    assert.equal(typeof aud.reason, 'string');
    assert.ok(aud.description.length > 0);
    assert.equal(aud.jti, jtiOf(wrongAud));
    assert.equal(garbage.err, 'invalid_request');
    assert.equal(garbage.jti, undefined);
    assert.equal(type.err, 'invalid_request');
    const all = await entries(cfg);
    assert.equal(all.length, 3, 'the 401s are not entries');
    const q = await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(q.status, 200);
    const byReason = q.json.rejections_last_hour;
    assert.equal(byReason.authentication_failed, 2);
    assert.equal(Object.values(byReason).reduce((a, b) => a + b, 0), 5);
    assert.equal(byReason[aud.reason] >= 1, true);
  });

  test('poll: delivered (method poll, attempt), acked, set_err', async () => {
    const cfg = await stream();
    const [a, b] = [await signed(), await signed()];
    await w.push(cfg, a);
    await w.push(cfg, b);
    let r = await w.poll(cfg, { returnImmediately: true, maxEvents: 1 });
    assert.equal(Object.keys(r.json.sets).length, 1);
    const delivered = await one(cfg, 'delivered');
    assert.equal(delivered.method, 'poll');
    assert.equal(delivered.attempt, 1);
    assert.equal(delivered.jti, jtiOf(a));
    r = await w.poll(cfg, {
      returnImmediately: true, maxEvents: 0, ack: [jtiOf(a)],
      setErrs: { [jtiOf(b)]: { err: 'invalid_issuer', description: 'not our issuer' } },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal((await one(cfg, 'acked')).jti, jtiOf(a));
    const err = await one(cfg, 'set_err');
    assert.deepEqual([err.jti, err.err, err.description], [jtiOf(b), 'invalid_issuer', 'not our issuer']);
  });

  test('push out: delivered (method push, attempt) and push_failed with status and error', async () => {
    const rcv = await PushReceiver.start();
    let fail = true;
    rcv.answer = () => (fail ? { status: 503 } : { status: 202 });
    try {
      const cfg = await stream({
        delivery: { method: PUSH_METHOD, endpoint_url: rcv.url, authorization_header: RECEIVER_SECRET },
      });
      const set = await signed();
      await w.push(cfg, set);
      const failed = await until('push_failed', async () => (await entries(cfg, 'push_failed'))[0]);
      assert.equal(failed.jti, jtiOf(set));
      assert.equal(failed.status, 503);
      assert.match(failed.error, /503/);
      fail = false;
      const ok = await until('delivered', async () => (await entries(cfg, 'delivered'))[0]);
      assert.equal(ok.method, 'push');
      assert.ok(ok.attempt >= 2, JSON.stringify(ok));
      assert.equal(ok.jti, jtiOf(set));
    } finally { await rcv.stop(); }
  });

  test('status_changed {from, to, by}; unchanged status writes nothing', async () => {
    const cfg = await stream();
    const set = (status) => w.post('/ssf/status', { token: ALICE, body: { stream_id: cfg.stream_id, status } });
    assert.equal((await set('paused')).status, 200);
    assert.equal((await set('paused')).status, 200);
    const e = await one(cfg, 'status_changed');
    assert.deepEqual([e.from, e.to, e.by], ['enabled', 'paused', 'alice']);
  });

  test('subject_added / subject_removed carry the subject', async () => {
    const cfg = await stream();
    const subject = { format: 'email', email: 'carol@example.com' };
    assert.equal((await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject } })).status, 200);
    assert.equal((await w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject } })).status, 204);
    assert.deepEqual((await one(cfg, 'subject_added')).subject, subject);
    assert.deepEqual((await one(cfg, 'subject_removed')).subject, subject);
  });

  test('verification {state}', async () => {
    const cfg = await stream();
    const r = await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: 'state-123' } });
    assert.equal(r.status, 204, r.text);
    assert.equal((await one(cfg, 'verification')).state, 'state-123');
  });

  test('config_updated on a PATCH and on a push credential rotation', async () => {
    const cfg = await stream();
    const r = await w.request('PATCH', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, description: 'changed' },
    });
    assert.equal(r.status, 200, r.text);
    const rotated = await w.post('/ssf/streams/rotate-push', { token: ALICE, body: { stream_id: cfg.stream_id } });
    assert.equal(rotated.status, 200);
    secrets.add(rotated.json.push.authorization_header);
    assert.equal((await entries(cfg, 'config_updated')).length, 2);
  });
});

describe('GET /ssf/activity', () => {
  let cfg;
  before(async () => {
    cfg = await stream();
    for (let i = 0; i < 25; i++) {
      const subject = { format: 'email', email: `user${i}@example.com` };
      await w.post('/ssf/subjects:add', { token: ALICE, body: { stream_id: cfg.stream_id, subject } });
    }
  });

  test('pages of 7 over 25 entries: oldest first, no overlap, no gap, next null at the end', async () => {
    const seen = [];
    let after = '';
    let pages = 0;
    for (;;) {
      const r = await activity(cfg, `&limit=7${after}`);
      assert.equal(r.status, 200, r.text);
      pages++;
      assert.ok(r.json.entries.length <= 7);
      seen.push(...r.json.entries);
      if (r.json.next === null) break;
      assert.equal(r.json.next, r.json.entries.at(-1).id);
      after = `&after=${r.json.next}`;
    }
    assert.equal(pages, 4);
    assert.equal(seen.length, 25);
    const ids = seen.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, 25);
    assert.deepEqual(seen.map((e) => e.subject.email), [...Array(25).keys()].map((i) => `user${i}@example.com`));
    const all = await entries(cfg);
    assert.deepEqual(all.map((e) => e.id), ids);
  });

  test('kind filters', async () => {
    await w.post('/ssf/subjects:remove', {
      token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'email', email: 'user3@example.com' } },
    });
    assert.equal((await entries(cfg, 'subject_removed')).length, 1);
    assert.equal((await entries(cfg, 'subject_added')).length, 25);
    assert.equal((await entries(cfg, 'acked')).length, 0);
  });

  test('bad parameters are 400; the default page is 100', async () => {
    for (const q of ['&limit=0', '&limit=1001', '&limit=abc', '&limit=-1', '&after=x', '&kind=Bad%20Kind']) {
      const r = await activity(cfg, q);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.err, 'invalid_request');
    }
    assert.equal((await w.get('/ssf/activity', { token: ALICE })).status, 400);
    assert.equal((await activity(cfg, '&limit=1000')).status, 200);
    assert.equal((await activity(cfg, '&limit=1')).json.entries.length, 1);
  });

  test('authorization: none is 401; another receiver\'s stream and an unknown one are 404', async () => {
    assert.equal((await w.get(`/ssf/activity?stream_id=${cfg.stream_id}`)).status, 401);
    const bob = await activity(cfg, '', BOB);
    assert.equal(bob.status, 404);
    assert.equal(bob.json.entries, undefined);
    assert.equal((await activity({ stream_id: 'nonexistent0000' })).status, 404);
    assert.equal((await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: BOB })).status, 404);
  });
});

describe('bounds and secrecy', () => {
  test(`retention by count keeps the newest ${MAX_ENTRIES}`, async () => {
    const cfg = await stream();
    for (let i = 0; i < MAX_ENTRIES + 10; i++) {
      await w.post('/ssf/subjects:add', {
        token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'email', email: `n${i}@example.com` } },
      });
    }
    const kept = await entries(cfg);
    assert.equal(kept.length, MAX_ENTRIES);
    assert.equal(kept[0].subject.email, 'n10@example.com');
    assert.equal(kept.at(-1).subject.email, `n${MAX_ENTRIES + 9}@example.com`);
  });

  test('retention by age: entries older than SSF_ACTIVITY_RETENTION_SECONDS are gone', async () => {
    const short = await startWorker({ vars: { SSF_ACTIVITY_RETENTION_SECONDS: 1 } });
    try {
      const cfg = await short.createStream({ source: up.source() });
      const add = (email) => short.post('/ssf/subjects:add', {
        token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'email', email } },
      });
      const list = async () => (await short.get(`/ssf/activity?stream_id=${cfg.stream_id}`, { token: ALICE })).json.entries;
      await add('old@example.com');
      assert.equal((await list()).length, 1);
      await new Promise((r) => setTimeout(r, 1500));
      await add('new@example.com');
      assert.deepEqual((await list()).map((e) => e.subject.email), ['new@example.com']);
    } finally { await short.stop(); }
  });

  test('the queue summary: depth and the oldest pending SET\'s age', async () => {
    const cfg = await stream();
    let q = (await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE })).json;
    assert.equal(q.depth, 0);
    assert.equal(q.oldest_pending_age_ms, null);
    await w.push(cfg, await signed());
    await new Promise((r) => setTimeout(r, 30));
    q = (await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE })).json;
    assert.equal(q.depth, 1);
    assert.ok(q.oldest_pending_age_ms >= 20, JSON.stringify(q));
    assert.deepEqual(q.rejections_last_hour, {});
  });

  test('each entry is one JSON line on the worker\'s log, with the stream id', async () => {
    const cfg = await stream();
    const set = await signed();
    await w.push(cfg, set);
    const line = await until('the log line', () => output.join('').split('\n')
      .map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .find((l) => l?.activity?.kind === 'push_accepted' && l.activity.jti === jtiOf(set)));
    assert.equal(line.activity.stream_id, cfg.stream_id);
    assert.ok(Number.isInteger(line.activity.id));
  });

  test('no token, SET, push credential or receiver secret in any answer or log line', async () => {
    assert.ok(secrets.size > 20, `${secrets.size} secrets collected`);
    const log = output.join('');
    assert.ok(log.includes('"activity"'), 'the log was captured');
    const activityBodies = bodies.filter((b) => b.includes('"entries"'));
    assert.ok(activityBodies.length > 10);
    for (const s of secrets) {
      assert.equal(log.includes(s), false, `the log shows a secret (${s.slice(0, 12)}...)`);
      // The API answers carry credentials by design only in stream configurations.
      for (const b of activityBodies) assert.equal(b.includes(s), false, 'an activity answer shows a secret');
      for (const b of bodies.filter((x) => x.includes('rejections_last_hour'))) {
        assert.equal(b.includes(s), false, 'a queue answer shows a secret');
      }
    }
    // The receivers' bearer tokens are never echoed by any answer at all.
    for (const b of bodies) for (const t of [ALICE, BOB]) assert.equal(b.includes(t), false);
    // A SET's signature alone would do too: none of their third parts appears either.
    for (const s of secrets) {
      const sig = s.split('.')[2];
      if (sig) assert.equal(log.includes(sig), false);
    }
  });
});
