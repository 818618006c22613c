// Nothing lost: concurrent pushers and pollers; restarts of the worker (wrangler dev, and
// Miniflare) on the same persisted state; the generated signing key survives restarts.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  startWorker, Upstream, PushReceiver, until, checkWorkerSet, decodeClaims, tempDir, sleep, freePort, ROOT, TOKENS, ALICE, PUSH_METHOD,
} from './harness.mjs';

describe('concurrency', () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { SSF_LONG_POLL_SECONDS: 2 } });
  });
  after(async () => {
    await w?.stop();
  });

  test('N SETs pushed by 3 clients, polled by 2 pollers with acks: each delivered, none after its ack', async () => {
    const N = 60;
    const up = await Upstream.create({ alg: 'ES256' });
    const cfg = await w.createStream({ source: up.source() });
    const sets = await Promise.all(Array.from({ length: N }, () => up.sign()));
    const jtis = new Set(sets.map((s) => decodeClaims(s).jti));

    const delivered = new Map(); // jti -> count
    const ackedAt = new Map(); // jti -> order number when the ack was confirmed
    const violations = [];
    let clock = 0;
    let done = false;

    async function poller() {
      let toAck = [];
      while (!done) {
        const startedAt = ++clock;
        const r = await w.poll(cfg, { maxEvents: 7, ack: toAck });
        assert.equal(r.status, 200, r.text);
        const finishedAt = ++clock;
        for (const j of toAck) if (!ackedAt.has(j)) ackedAt.set(j, finishedAt);
        toAck = [];
        for (const [jti, token] of Object.entries(r.json.sets)) {
          assert.equal(decodeClaims(token).jti, jti);
          const acked = ackedAt.get(jti);
          if (acked !== undefined && acked < startedAt) violations.push(jti);
          delivered.set(jti, (delivered.get(jti) ?? 0) + 1);
          toAck.push(jti);
        }
        if ([...jtis].every((j) => delivered.has(j))) done = true;
      }
      if (toAck.length) {
        const r = await w.poll(cfg, { maxEvents: 0, ack: toAck });
        assert.equal(r.status, 200);
      }
    }

    async function pusher(batch) {
      await Promise.all(batch.map(async (s) => {
        const r = await w.push(cfg, s);
        assert.equal(r.status, 202, r.text);
      }));
    }

    const pollers = [poller(), poller()];
    await Promise.all([0, 1, 2].map((i) => pusher(sets.filter((_, k) => k % 3 === i))));
    const deadline = setTimeout(() => { done = true; }, 60_000);
    await Promise.all(pollers);
    clearTimeout(deadline);

    for (const j of jtis) assert.ok(delivered.has(j), `SET ${j} delivered`);
    assert.deepEqual(violations, [], 'no SET delivered after its ack');
    // Every accepted SET is acknowledged now: nothing is left.
    assert.deepEqual((await w.poll(cfg, { returnImmediately: true })).json.sets, {});
    const info = await w.get(`/ssf/queue?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(info.json.acknowledged, N);
    assert.equal(info.json.pending, 0);
  });
});

// ---- wrangler dev restart ------------------------------------------------------------------

class WranglerDev {
  constructor(stateDir, envFile, port) {
    this.stateDir = stateDir;
    this.envFile = envFile;
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.log = '';
  }

  async start() {
    this.proc = spawn(path.join(ROOT, 'node_modules/.bin/wrangler'), [
      'dev', '--ip', '127.0.0.1', '--port', String(this.port), '--persist-to', this.stateDir,
      '--env-file', this.envFile, '--show-interactive-dev-session=false', '--inspector-port', '0',
    ], {
      cwd: ROOT,
      detached: true, // its own process group, so stopping it stops workerd too
      env: { ...process.env, SSF_SKIP_BUILD: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout.on('data', (d) => { this.log += d; });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    this.exited = new Promise((r) => this.proc.on('exit', r));
    for (let i = 0; i < 240; i++) {
      try {
        const r = await fetch(`${this.base}/.well-known/ssf-configuration`);
        if (r.status === 200) return;
      } catch { /* not up yet */ }
      if (this.proc.exitCode !== null) break;
      await sleep(250);
    }
    throw new Error(`wrangler dev did not start:\n${this.log.slice(-3000)}`);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    try { process.kill(-this.proc.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-this.proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await this.exited;
    clearTimeout(timer);
  }

  async fetch(p, init = {}) {
    const r = await fetch(p.startsWith('http') ? p : this.base + p, init);
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, text, json };
  }
}

/** Pushes `n` fresh SETs of `up` into stream `cfg` through `dev`; each must be 202. */
async function pushSets(dev, cfg, up, n) {
  const sets = [];
  for (let i = 0; i < n; i++) {
    const s = await up.sign();
    const r = await dev.fetch(cfg.push.endpoint_url, {
      method: 'POST',
      headers: { authorization: cfg.push.authorization_header, 'content-type': 'application/secevent+jwt' },
      body: s,
    });
    assert.equal(r.status, 202, r.text);
    sets.push(s);
  }
  return sets;
}

describe('restart', () => {
  test('wrangler dev stopped and started on the same state between push and poll loses nothing', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const envFile = path.join(dir, 'dev.env');
    fs.writeFileSync(envFile, `SSF_TOKENS='${JSON.stringify(TOKENS)}'\nSSF_LOCAL='true'\n`);
    const dev = new WranglerDev(path.join(dir, 'state'), envFile, await freePort());
    const auth = { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' };
    try {
      await dev.start();
      const up = await Upstream.create();
      const created = await dev.fetch('/ssf/streams', { method: 'POST', headers: auth, body: JSON.stringify({ source: up.source() }) });
      assert.equal(created.status, 201, created.text);
      const cfg = created.json;
      const sets = await pushSets(dev, cfg, up, 5);
      const jwksBefore = (await dev.fetch('/ssf/jwks.json')).json;

      await dev.stop();
      await dev.start();

      const read = await dev.fetch(`/ssf/streams?stream_id=${cfg.stream_id}`, { headers: auth });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.json.push.authorization_header, cfg.push.authorization_header);
      const polled = await dev.fetch(cfg.delivery.endpoint_url, { method: 'POST', headers: auth, body: JSON.stringify({ returnImmediately: true }) });
      assert.equal(polled.status, 200, polled.text);
      assert.deepEqual(Object.values(polled.json.sets), sets, 'every SET pushed before the restart, in order');
      assert.deepEqual((await dev.fetch('/ssf/jwks.json')).json, jwksBefore, 'the generated signing key is kept');
      // The inspector (or its placeholder) is served at /.
      const home = await dev.fetch('/');
      assert.equal(home.status, 200);
      assert.match(home.text, /<html|<!doctype/i);
    } finally {
      await dev.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('push delivery: SETs queued while the receiver is down go out after a wrangler dev restart, with no request', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const envFile = path.join(dir, 'dev.env');
    fs.writeFileSync(envFile, `SSF_TOKENS='${JSON.stringify(TOKENS)}'\nSSF_LOCAL='true'\nSSF_PUSH_RETRY_SECONDS='1'\nSSF_PUSH_MAX_BACKOFF_SECONDS='2'\n`);
    const dev = new WranglerDev(path.join(dir, 'state'), envFile, await freePort());
    const auth = { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' };
    const receiverPort = await freePort();
    let rcv;
    try {
      await dev.start();
      const up = await Upstream.create();
      const created = await dev.fetch('/ssf/streams', {
        method: 'POST', headers: auth,
        body: JSON.stringify({ source: up.source(), delivery: { method: PUSH_METHOD, endpoint_url: `http://127.0.0.1:${receiverPort}/in` } }),
      });
      assert.equal(created.status, 201, created.text);
      const cfg = created.json;
      const sets = await pushSets(dev, cfg, up, 3);
      await sleep(1500); // attempts fail: nobody listens
      await dev.stop();
      rcv = await PushReceiver.start(receiverPort);
      await dev.start();
      await until('every SET delivered after the restart', () => sets.every((s) => rcv.bodies().includes(s)), 60_000);
    } finally {
      await dev.stop();
      await rcv?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Miniflare restarted on persisted state: queue, acks and generated key survive', async () => {
    const dir = tempDir();
    try {
      let w = await startWorker({ persist: dir, signingKey: false });
      const up = await Upstream.create();
      const cfg = await w.createStream({ source: up.source() });
      const [a, b] = [await up.sign(), await up.sign()];
      assert.equal((await w.push(cfg, a)).status, 202);
      assert.equal((await w.push(cfg, b)).status, 202);
      const first = await w.poll(cfg, { returnImmediately: true, maxEvents: 1 });
      assert.deepEqual(Object.values(first.json.sets), [a]);
      await w.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: [decodeClaims(a).jti] });
      assert.equal((await w.post('/ssf/verify', { token: ALICE, body: { stream_id: cfg.stream_id, state: 's' } })).status, 204);
      const jwks = await w.jwks();
      assert.equal(jwks.keys[0].kty, 'EC', 'a generated ES256 key when SSF_SIGNING_JWK is absent');
      await w.stop();

      w = await startWorker({ persist: dir, signingKey: false });
      try {
        assert.deepEqual(await w.jwks(), jwks);
        const got = Object.values(await w.drain(cfg));
        assert.equal(got.length, 2);
        assert.equal(got[0], b, 'the unacknowledged SET, not the acknowledged one');
        const { payload } = await checkWorkerSet(w, got[1], cfg);
        assert.equal(payload.events['https://schemas.openid.net/secevent/ssf/event-type/verification'].state, 's');
      } finally {
        await w.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
