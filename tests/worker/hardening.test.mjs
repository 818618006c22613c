// The receiver hardened: outbound fetches (redirects, size, timeout, URL policy), the stream's
// Durable Object as the one source of truth (changes in effect for the next push, atomic
// subject changes, push credential rotation, one signing key), no event lost behind a 202
// (legacy event URIs, retryable refetch gate scoped per stream, SETs older than retention),
// and bounded work (long polls do not spin; deleted streams stay deleted).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import {
  startWorker, Upstream, JwksServer, sleep, ALICE, BOB, EV,
} from './harness.mjs';

/** A local server whose behaviour each test sets per path: a hostile jwks_uri. */
class HostileServer {
  static async start() {
    const s = new HostileServer();
    s.routes = new Map();
    s.hits = new Map();
    s.closed = 0;
    s.server = http.createServer((req, res) => {
      const p = req.url.split('?')[0];
      s.hits.set(p, (s.hits.get(p) ?? 0) + 1);
      res.on('close', () => { if (!res.writableFinished) s.closed++; });
      const route = s.routes.get(p);
      if (route) route(req, res);
      else { res.writeHead(404); res.end(); }
    });
    await new Promise((r) => s.server.listen(0, '127.0.0.1', r));
    s.base = `http://127.0.0.1:${s.server.address().port}`;
    return s;
  }

  route(p, fn) { this.routes.set(p, fn); return this.base + p; }
  count(p) { return this.hits.get(p) ?? 0; }
  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
  }
}

let w;
let hostile;
let jwksServer;
before(async () => {
  w = await startWorker({ vars: { SSF_JWKS_REFETCH_SECONDS: 3600, SSF_FETCH_TIMEOUT_SECONDS: 1 } });
  hostile = await HostileServer.start();
  jwksServer = await JwksServer.start();
});
after(async () => {
  await w?.stop();
  await hostile?.stop();
  await jwksServer?.stop();
});

const status = (worker, cfg, s, token = ALICE) =>
  worker.post('/ssf/status', { token, body: { stream_id: cfg.stream_id, status: s } });

describe('outbound fetches', () => {
  test('a jwks_uri answering 302 is not followed (to http, to another host, even to the same one)', async () => {
    const up = await Upstream.create();
    const good = jwksServer.serve(up);
    for (const target of [good, good.replace('127.0.0.1', 'localhost'), `${hostile.base}/keys-here`]) {
      hostile.route('/keys-here', (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(up.jwks()));
      });
      const p = `/redirect-${Math.random().toString(16).slice(2)}`;
      const uri = hostile.route(p, (req, res) => { res.writeHead(302, { location: target }); res.end(); });
      const before = jwksServer.count(good) + hostile.count('/keys-here');
      const cfg = await w.createStream({ source: up.source({ jwksUri: uri }) });
      const r = await w.push(cfg, await up.sign());
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.err, 'invalid_key');
      assert.equal(hostile.count(p), 1, 'the redirecting URL was asked');
      assert.equal(jwksServer.count(good) + hostile.count('/keys-here'), before, 'its target never was');
    }
  });

  test('a JWKS over 256 KiB is refused: declared, and streamed without a length (reading stops)', async () => {
    const up = await Upstream.create();
    const declared = hostile.route('/declared-huge', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"keys":[');
      // Never sends the rest: the worker must refuse on the header alone.
    });
    let sent = 0;
    const streamed = hostile.route('/streamed-huge', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = ' '.repeat(16 * 1024);
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      res.write('{"keys":[');
      pump();
    });
    for (const uri of [declared, streamed]) {
      const cfg = await w.createStream({ source: up.source({ jwksUri: uri }) });
      const r = await w.push(cfg, await up.sign());
      assert.equal(r.status, 503, r.text);
    }
    assert.ok(sent < 16 * 1024 * 1024, `the worker stopped reading early (server wrote ${sent} bytes)`);
  });

  test('a jwks_uri that never answers times out (SSF_FETCH_TIMEOUT_SECONDS) with 503', async () => {
    const up = await Upstream.create();
    const uri = hostile.route('/silent', () => { /* never answers */ });
    const cfg = await w.createStream({ source: up.source({ jwksUri: uri }) });
    const r = await w.push(cfg, await up.sign());
    assert.equal(r.status, 503, r.text);
  });

  test('URL policy: loopback http only when local, IP-literal hosts only when allowed', async () => {
    const up = await Upstream.create();
    const create = (worker, jwksUri) =>
      worker.post('/ssf/streams', { token: ALICE, body: { source: up.source({ jwksUri }) } });
    const prod = await startWorker({ vars: { SSF_LOCAL: null } });
    try {
      for (const uri of ['http://127.0.0.1:9/jwks', 'http://localhost:9/jwks', 'https://127.0.0.1/jwks',
        'https://[::1]/jwks', 'https://10.0.0.7/jwks', 'https://169.254.169.254/latest', 'http://idp.example.com/jwks']) {
        const r = await create(prod, uri);
        assert.equal(r.status, 400, `${uri}: ${r.text}`);
        assert.match(r.json.description, /jwks_uri/, r.json.description);
      }
      assert.equal((await create(prod, 'https://idp.example.com/jwks')).status, 201);
    } finally {
      await prod.stop();
    }
    // Local (tests, make dev): loopback http is fine, other IP literals still are not.
    assert.equal((await create(w, 'http://127.0.0.1:9/jwks')).status, 201);
    assert.equal((await create(w, 'https://10.0.0.7/jwks')).status, 400);
    const ips = await startWorker({ vars: { SSF_LOCAL: null, SSF_ALLOW_IP_HOSTS: 'true' } });
    try {
      assert.equal((await create(ips, 'https://10.0.0.7/jwks')).status, 201);
      assert.equal((await create(ips, 'https://127.0.0.1/jwks')).status, 400, 'loopback stays local-only');
    } finally {
      await ips.stop();
    }
  });
});

describe('the stream\'s object decides', () => {
  test('a key removed from the source stops verifying with the very next push', async () => {
    const up = await Upstream.create();
    const compromised = await up.addKey('ES256');
    const cfg = await w.createStream({ source: up.source() });
    assert.equal((await w.push(cfg, await up.sign({ key: compromised }))).status, 202);
    up.keys = up.keys.filter((k) => k !== compromised);
    const r = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, source: up.source() } });
    assert.equal(r.status, 200, r.text);
    const after = await w.push(cfg, await up.sign({ key: compromised }));
    assert.equal(after.status, 400);
    assert.equal(after.json.err, 'invalid_key');
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
  });

  test('a newly requested event type is queued from the very next push', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source(), events_requested: [EV.sessionRevoked] });
    const before = await up.sign({ event: EV.credentialChange, eventBody: { credential_type: 'password', change_type: 'update' } });
    assert.equal((await w.push(cfg, before)).status, 202);
    const r = await w.request('PATCH', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, events_requested: [EV.sessionRevoked, EV.credentialChange] },
    });
    assert.equal(r.status, 200, r.text);
    const after = await up.sign({ event: EV.credentialChange, eventBody: { credential_type: 'password', change_type: 'update' } });
    assert.equal((await w.push(cfg, after)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [after]);
  });

  test('concurrent subject removals are all kept (atomic changes)', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source() });
    const subjects = Array.from({ length: 12 }, (_, i) => ({ format: 'email', email: `u${i}@example.com` }));
    const answers = await Promise.all(subjects.map((subject) =>
      w.post('/ssf/subjects:remove', { token: ALICE, body: { stream_id: cfg.stream_id, subject } })));
    for (const a of answers) assert.equal(a.status, 204, a.text);
    for (const subject of subjects) assert.equal((await w.push(cfg, await up.sign({ subject }))).status, 202);
    const kept = await up.sign({ subject: { format: 'email', email: 'other@example.com' } });
    assert.equal((await w.push(cfg, kept)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [kept], 'every removed subject stays removed');
  });

  test('the push credential rotates: the old one is retired at once, or after a grace period', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source() });
    const rotate = (body, token = ALICE) => w.post('/ssf/streams/rotate-push', { token, body });
    const r = await rotate({ stream_id: cfg.stream_id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const fresh = r.json.push.authorization_header;
    assert.notEqual(fresh, cfg.push.authorization_header);
    assert.match(fresh, /^Bearer [0-9a-f]{64}$/);
    assert.equal(r.json.push.endpoint_url, cfg.push.endpoint_url);
    assert.equal((await w.push(cfg, await up.sign())).status, 401, 'the old credential is retired');
    assert.equal((await w.push(cfg, await up.sign(), { authorization: fresh })).status, 202);
    const read = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(read.json.push.authorization_header, fresh, 'reads show the new credential');

    const g = await rotate({ stream_id: cfg.stream_id, grace_seconds: 2 });
    const newest = g.json.push.authorization_header;
    assert.equal((await w.push(cfg, await up.sign(), { authorization: fresh })).status, 202, 'old one within its grace');
    assert.equal((await w.push(cfg, await up.sign(), { authorization: newest })).status, 202);
    await sleep(2300);
    assert.equal((await w.push(cfg, await up.sign(), { authorization: fresh })).status, 401, 'grace over');
    assert.equal((await w.push(cfg, await up.sign(), { authorization: newest })).status, 202);

    assert.equal((await rotate({ stream_id: cfg.stream_id }, BOB)).status, 404, 'another receiver\'s stream');
    assert.equal((await rotate({ stream_id: cfg.stream_id, grace_seconds: -1 })).status, 400);
    assert.equal((await rotate({ stream_id: cfg.stream_id, grace: 5 })).status, 400, 'unknown member');
    assert.equal((await rotate({ stream_id: cfg.stream_id }, 'nope')).status, 401);
    assert.equal((await w.get('/ssf/streams/rotate-push', { token: ALICE })).status, 405);
  });

  test('the generated signing key is created once, even by racing requests, and is the key served', async () => {
    const fresh = await startWorker({ signingKey: false });
    try {
      const streams = [];
      for (let i = 0; i < 4; i++) streams.push(await fresh.createStream({}));
      // Everything that needs the key at once, on a deployment that has none yet.
      await Promise.all([
        ...streams.map((cfg, i) => fresh.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: `s${i}` } })),
        fresh.jwks(), fresh.jwks(),
      ]);
      const jwks = await fresh.jwks();
      assert.equal(jwks.keys.length, 1);
      const keySet = jose.createLocalJWKSet(jwks);
      for (const cfg of streams) {
        const sets = Object.values(await fresh.drain(cfg));
        assert.equal(sets.length, 1);
        await jose.compactVerify(sets[0], keySet); // throws if signed by another key
      }
    } finally {
      await fresh.stop();
    }
  });

  test('a deleted stream stays deleted: stale pushes, polls and status reads are 404 and revive nothing', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source() });
    assert.equal((await w.push(cfg, await up.sign())).status, 202);
    assert.equal((await w.request('DELETE', `/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE })).status, 204);
    assert.equal((await w.push(cfg, await up.sign())).status, 404);
    assert.equal((await w.poll(cfg)).status, 404);
    assert.equal((await w.get(`/ssf/status?stream_id=${cfg.stream_id}`, { token: ALICE })).status, 404);
    assert.equal((await status(w, cfg, 'enabled')).status, 404);
    assert.equal((await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE })).status, 404);
    const list = await w.get('/ssf/streams', { token: ALICE });
    assert.ok(!list.json.some((s) => s.stream_id === cfg.stream_id));
  });
});

describe('no event lost behind a 202', () => {
  test('legacy alias event URIs are the type they alias: queued, not dropped', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source(), events_requested: [EV.sessionRevoked] });
    const legacy = EV.sessionRevoked.replace('https://', 'http://');
    const now = Math.floor(Date.now() / 1000);
    const set = await up.sign({ event: legacy, eventBody: { event_timestamp: now, initiating_entity: 'policy', reason_admin: { en: 'x' } } });
    assert.equal((await w.push(cfg, set)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [set]);
  });

  test('a deprecated event type may be requested, and is delivered', async () => {
    const up = await Upstream.create();
    const deprecated = 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked';
    const cfg = await w.createStream({ source: up.source(), events_requested: [deprecated] });
    assert.deepEqual(cfg.events_delivered, [deprecated]);
    const set = await up.sign({ event: deprecated, eventBody: {} });
    assert.equal((await w.push(cfg, set)).status, 202);
    assert.deepEqual(Object.values(await w.drain(cfg)), [set]);
  });

  test('the JWKS refetch gate is per stream: one tenant\'s unknown kids cannot fail another\'s new key', async () => {
    const up = await Upstream.create();
    const uri = jwksServer.serve(up);
    const mine = await w.createStream({ source: up.source({ jwksUri: uri }) }, ALICE);
    const theirs = await w.createStream({ source: up.source({ jwksUri: uri }) }, BOB);
    assert.equal((await w.push(mine, await up.sign())).status, 202);
    const stranger = await Upstream.create({ issuer: up.issuer, audience: up.audience });
    // The first unknown kid refetches (and still does not know it: 400); later ones wait.
    const first = await w.push(mine, await stranger.sign());
    assert.equal(first.status, 400);
    assert.equal(first.json.err, 'invalid_key');
    assert.equal((await w.push(mine, await stranger.sign())).status, 503);
    // The upstream rotates; the other tenant's stream sees its new key at once.
    const k2 = await up.addKey('ES256');
    const set = await up.sign({ key: k2 });
    const r = await w.push(theirs, set);
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(Object.values(await w.drain(theirs, BOB)), [set]);
  });

  test('a SET whose iat is older than the retention period is refused', async () => {
    const short = await startWorker({ vars: { SSF_RETENTION_SECONDS: 60 } });
    try {
      const up = await Upstream.create();
      const cfg = await short.createStream({ source: up.source() });
      const old = await up.sign({ claims: { iat: Math.floor(Date.now() / 1000) - 120 } });
      const r = await short.push(cfg, old);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.err, 'invalid_request');
      assert.match(r.json.description, /too_old/);
      const recent = await up.sign({ claims: { iat: Math.floor(Date.now() / 1000) - 30 } });
      assert.equal((await short.push(cfg, recent)).status, 202);
    } finally {
      await short.stop();
    }
  });
});

describe('bounded work', () => {
  test('a long poll does not spin on a delivered SET past retention that is not pruned yet', async () => {
    const q = await startWorker({ vars: { SSF_RETENTION_SECONDS: 2, SSF_REDELIVERY_SECONDS: 1, SSF_LONG_POLL_SECONDS: 3 } });
    try {
      const up = await Upstream.create();
      const cfg = await q.createStream({ source: up.source() });
      assert.equal((await q.push(cfg, await up.sign())).status, 202);
      const first = await q.poll(cfg, { returnImmediately: true });
      assert.equal(Object.keys(first.json.sets).length, 1);
      await sleep(2300); // past retention; the prune interval (60 s) has not come round
      const long = await q.poll(cfg, {});
      assert.deepEqual(long.json.sets, {});
      const info = await q.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE });
      assert.ok(info.json.long_poll_wakeups < 20, `long poll woke ${info.json.long_poll_wakeups} times`);
    } finally {
      await q.stop();
    }
  });
});
