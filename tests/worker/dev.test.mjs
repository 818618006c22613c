// `make dev` as a user meets it: scripts/dev.sh (what `make dev` runs once `make build` is
// done) on a built tree: ready quickly without building again, no restart while nothing
// changes (a long poll in flight survives), every variable of worker/variables.list passed
// through, and a `make build` of the inspector in a second terminal leaves it serving.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Upstream, workerSigningJwk, tempDir, sleep, freePort, ROOT, startDev } from './harness.mjs';

const TOKEN = 'dev-test-token';

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 1 << 24 }, (e, stdout, stderr) => resolve({ code: e ? e.code ?? 1 : 0, out: stdout + stderr }));
  });
}

/** The variables the worker's source reads (bindings aside). */
/** A JWK without its private members. */
const publicPart = (jwk) => Object.fromEntries(Object.entries(jwk).filter(([k]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)));

function variablesInSource() {
  const names = new Set();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.rs')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/"(SSF_[A-Z_]+)"/g)) names.add(m[1]);
    }
  };
  walk(path.join(ROOT, 'worker/src'));
  for (const binding of ['SSF_KV', 'SSF_QUEUE', 'SSF_NODE', 'SSF_DIRECTORY', 'SSF_EMIT_QUEUE']) names.delete(binding);
  return [...names].sort();
}



const listed = () => fs.readFileSync(path.join(ROOT, 'worker/variables.list'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

test('worker/variables.list names exactly the variables the worker reads', () => {
  assert.deepEqual([...listed()].sort(), variablesInSource());
});

describe('make dev (scripts/dev.sh)', () => {
  let dev;
  let base;
  let state;
  let readyAfterMs;
  const values = {};
  const log = { get length() { return dev.log.length; }, slice: (...a) => dev.log.slice(...a) };

  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'worker/build/index.js')), 'the worker is built');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    state = tempDir('ssf-dev-test-');
    // A value for every listed variable, each one a behaviour or a visible setting.
    Object.assign(values, {
      SSF_TOKENS: JSON.stringify({ [TOKEN]: 'dev' }),
      SSF_ISSUER: 'https://issuer.dev-test.example',
      SSF_SIGNING_JWK: JSON.stringify(await workerSigningJwk()),
      SSF_LOCAL: 'true',
      SSF_DEFAULT_SUBJECTS: 'NONE',
      SSF_LONG_POLL_SECONDS: '25',
      SSF_REDELIVERY_SECONDS: '61',
      SSF_RETENTION_SECONDS: '86401',
      SSF_MAX_QUEUED_SETS: '1',
      SSF_JWKS_CACHE_SECONDS: '301',
      SSF_JWKS_REFETCH_SECONDS: '62',
      SSF_FETCH_TIMEOUT_SECONDS: '9',
      SSF_ALLOW_IP_HOSTS: 'true',
      SSF_MIN_VERIFICATION_INTERVAL: '0',
      SSF_PUSH_TIMEOUT_SECONDS: '8',
      SSF_PUSH_RETRY_SECONDS: '3',
      SSF_PUSH_MAX_BACKOFF_SECONDS: '301',
      SSF_PUSH_CONCURRENCY: '2',
      SSF_OAUTH: JSON.stringify({ issuer: 'https://as.dev-test.example', audience: 'https://issuer.dev-test.example', jwks: { keys: [publicPart(await workerSigningJwk())] } }),
      SSF_EMITTER_TOKENS: JSON.stringify(['dev-emitter-token']),
      SSF_EMIT_DIRECT_TARGETS: '400',
      SSF_EMIT_CONCURRENCY: '8',
      SSF_UPSTREAM_POLL_SECONDS: '31',
      SSF_UPSTREAM_POLL_INTERVAL_SECONDS: '2',
      SSF_UPSTREAM_RETRY_SECONDS: '3',
      SSF_ACTIVITY_RETENTION_SECONDS: '2592001',
      SSF_ACTIVITY_MAX_ENTRIES: '9999',
    });
    dev = await startDev({ ...values, PORT: String(port), SSF_DEV_STATE: state });
    readyAfterMs = dev.readyAfterMs;
  });

  after(async () => {
    await dev?.stop();
    if (state) fs.rmSync(state, { recursive: true, force: true });
  });

  const api = async (p, { method = 'GET', body, headers = {} } = {}) => {
    const r = await fetch(p.startsWith('http') ? p : base + p, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, text, json };
  };

  test('ready quickly on a built tree, without building the worker again', () => {
    console.log(`# make dev: ready after ${readyAfterMs} ms`);
    assert.ok(readyAfterMs < 30000, `ready after ${readyAfterMs} ms`);
    assert.doesNotMatch(dev.log, /worker-build|Running custom build|restarting build/, dev.log.slice(-2000));
    assert.match(dev.log, new RegExp(`bearer token for receiver "dev": ${TOKEN}`));
  });

  test('every listed variable set in the environment reaches the worker', async () => {
    const env = fs.readFileSync(path.join(state, 'dev.env'), 'utf8');
    for (const name of listed()) assert.ok(env.includes(`${name}='${values[name]}'`), `${name} passed through`);
    const disc = (await api('/.well-known/ssf-configuration')).json;
    assert.equal(disc.issuer, values.SSF_ISSUER);
    assert.equal(disc.default_subjects, 'NONE');
    // SSF_MAX_QUEUED_SETS=1: the second SET in the queue is refused.
    const up = await Upstream.create();
    const cfg = await api('/ssf/streams', { method: 'POST', body: { source: up.source() } });
    assert.equal(cfg.status, 201, cfg.text);
    const verify = () => api('/ssf/verify', { method: 'POST', body: { stream_id: cfg.json.stream_id } });
    assert.equal((await verify()).status, 204);
    const full = await verify();
    assert.equal(full.status, 429, full.text);
    assert.match(full.json.description, /queue is full/);
  });

  test('no restart while nothing changes: a long poll in flight is answered, not cut off', { timeout: 90_000 }, async () => {
    const cfg = await api('/ssf/streams', { method: 'POST', body: {} });
    assert.equal(cfg.status, 201, cfg.text);
    const before = log.length;
    // Held for SSF_LONG_POLL_SECONDS (25 s): past the moment wrangler's custom-build watcher
    // used to rebuild and restart the worker (about 20 s after start).
    const t0 = Date.now();
    const held = await api(cfg.json.delivery.endpoint_url, { method: 'POST', body: {} });
    const ms = Date.now() - t0;
    assert.equal(held.status, 200, held.text);
    assert.deepEqual(held.json.sets, {});
    assert.ok(ms > 20000, `held ${ms} ms`);
    // A worker build of an unchanged tree changes nothing, so nothing restarts either.
    const b = await run('bash', ['scripts/build-worker.sh'], { SSF_SKIP_SETUP: '1' });
    assert.equal(b.code, 0, b.out);
    assert.match(b.out, /up to date/);
    await sleep(3000);
    const since = log.slice(before);
    assert.doesNotMatch(since, /restart|changed|Reloading|worker-build/i, since);
    assert.equal((await api(`/ssf/status?stream_id=${cfg.json.stream_id}`)).status, 200);
  });

  test('a build of the inspector in a second terminal leaves every asset served', { timeout: 120_000 }, async () => {
    const assets = ['/', '/app.js', '/keys.js', '/style.css', '/lib/web.mjs', '/lib/ssf_wasm_bg.wasm',
      '/console/', '/console.js', '/dom.js'];
    for (const a of assets) assert.equal((await fetch(base + a)).status, 200, `${a} before`);
    // Requests all through the build: none may fail.
    let stop = false;
    const failures = [];
    const hammer = (async () => {
      while (!stop) {
        for (const a of assets) {
          const r = await fetch(base + a).catch((e) => ({ status: String(e) }));
          if (r.status !== 200) failures.push(`${a}: ${r.status}`);
          if (r.body) await r.arrayBuffer();
        }
      }
    })();
    for (let i = 0; i < 2; i++) {
      const b = await run('bash', ['scripts/build-www.sh']);
      assert.equal(b.code, 0, b.out);
    }
    await sleep(1500);
    stop = true;
    await hammer;
    assert.deepEqual(failures, []);
    for (const a of assets) assert.equal((await fetch(base + a)).status, 200, `${a} after`);
    const page = await (await fetch(`${base}/`)).text();
    assert.equal(page, fs.readFileSync(path.join(ROOT, 'www/dist/index.html'), 'utf8'));
  });
});

// The README's walkthrough ("The edge receiver"), typed in literally: every `sh` block of
// steps 0 to 3 run in order by bash, in the checkout, against a `make dev` with its defaults
// (generated token, port from PORT), then its effects checked through the API.
describe("the README's walkthrough against make dev", () => {
  let dev;
  let state;
  let port;
  const made = ['idp-key.json', 'stream.json', 'claims.json', 'set.jwt', 'poll.json'];

  before(async () => {
    port = await freePort();
    state = tempDir('ssf-walkthrough-');
    const env = { PORT: String(port), SSF_DEV_STATE: state };
    for (const name of listed()) env[name] = ''; // the defaults, whatever the caller's shell has
    dev = await startDev(env);
  });

  after(async () => {
    await dev?.stop();
    for (const f of made) fs.rmSync(path.join(ROOT, f), { force: true });
    if (state) fs.rmSync(state, { recursive: true, force: true });
  });

  function walkthrough() {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The edge receiver'), readme.indexOf('4. **Or have the worker push'));
    const blocks = [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
      body.split('\n').map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n'));
    assert.ok(blocks.length >= 5, `found ${blocks.length} blocks`);
    return blocks.join('\n');
  }

  test('every command runs as written and does what the README says', { timeout: 120_000 }, async () => {
    const script = `set -euo pipefail\n${walkthrough()}\necho "STREAM_ID=$STREAM_ID"\n`;
    const r = await new Promise((resolve) => {
      const child = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, PORT: String(port), SSF_DEV_STATE: state } });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      child.on('exit', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /"err"/, r.out);
    assert.match(r.out, /HTTP\/1\.1 202/, 'the push was accepted');
    const streamId = r.out.match(/STREAM_ID=([0-9a-f]+)/)[1];

    const token = fs.readFileSync(path.join(state, 'dev-token'), 'utf8').trim();
    const api = async (p, body) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: await res.json().catch(() => undefined) };
    };
    const cfg = await api(`/ssf/streams?stream_id=${streamId}`);
    assert.equal(cfg.status, 200);
    assert.equal(cfg.json.description, 'IdP session events');
    // The pushed SET came back by poll and was acknowledged.
    const polled = JSON.parse(fs.readFileSync(path.join(ROOT, 'poll.json'), 'utf8'));
    assert.deepEqual(Object.values(polled.sets), [fs.readFileSync(path.join(ROOT, 'set.jwt'), 'utf8').trim()]);
    // What is left: the worker's own SETs (stream-updated paused / enabled, verification
    // with the README's state), not the acknowledged one.
    const left = await api(cfg.json.delivery.endpoint_url.replace(/^https?:\/\/[^/]+/, ''), { returnImmediately: true });
    assert.equal(left.status, 200);
    const events = Object.values(left.json.sets).map((t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url')));
    assert.ok(!Object.keys(left.json.sets).some((j) => j in polled.sets), 'the acknowledged SET is gone');
    const verification = events.find((c) => c.events['https://schemas.openid.net/secevent/ssf/event-type/verification']);
    assert.equal(verification?.events['https://schemas.openid.net/secevent/ssf/event-type/verification'].state, 'check-1');
    const disc = (await api('/.well-known/ssf-configuration')).json;
    for (const c of events) assert.equal(c.iss, disc.issuer, 'the worker signs these itself');
    assert.equal((await api(`/ssf/status?stream_id=${streamId}`)).json.status, 'enabled');
  });
});
