// Test harness for the worker end-to-end tests: runs the built worker (worker/build) in
// workerd through Miniflare, serves upstream transmitters' JWKS from a local HTTP server,
// signs test SETs with `jose`, and checks the SETs the worker emits.
import { Miniflare } from 'miniflare';
import * as jose from 'jose';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.join(ROOT, 'worker/build');
export const ORIGIN = 'http://ssf.test';

export const POLL_METHOD = 'urn:ietf:rfc:8936';
export const PUSH_METHOD = 'urn:ietf:rfc:8935';
export const EV = {
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  accountDisabled: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
};

/** Token -> receiver id used by every test instance. */
export const TOKENS = { 'token-alice': 'alice', 'token-bob': 'bob' };
export const ALICE = 'token-alice';
export const BOB = 'token-bob';

/** The worker's signing key for the tests (RS256, as the CAEP interop profile requires). */
let workerKeyPromise;
export function workerSigningJwk() {
  workerKeyPromise ??= (async () => {
    const { privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await jose.exportJWK(privateKey);
    return { ...jwk, kid: 'worker-test-key', alg: 'RS256', use: 'sig' };
  })();
  return workerKeyPromise;
}

/**
 * Starts the worker in workerd. `vars` adds/overrides variables (numbers are passed as
 * strings). `persist` = a directory: KV and Durable Object state persisted there.
 */
export async function startWorker({ vars = {}, persist, signingKey = true, emitQueue = false, onOutput } = {}) {
  // SSF_LOCAL: the test peers are http servers on 127.0.0.1, which only a local
  // deployment may call.
  const bindings = { SSF_TOKENS: JSON.stringify(TOKENS), SSF_LOCAL: 'true' };
  if (signingKey) bindings.SSF_SIGNING_JWK = JSON.stringify(await workerSigningJwk());
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined || v === null) delete bindings[k];
    else bindings[k] = String(v);
  }
  const opts = {
    modules: true,
    scriptPath: path.join(BUILD, 'index.js'),
    modulesRoot: BUILD,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-09-01',
    kvNamespaces: ['SSF_KV'],
    durableObjects: {
      SSF_QUEUE: { className: 'SsfQueue', useSQLite: true },
      SSF_NODE: { className: 'SsfNode', useSQLite: true },
      SSF_DIRECTORY: { className: 'SsfDirectory', useSQLite: true },
    },
    bindings,
    cf: false,
  };
  if (emitQueue) {
    // The Cloudflare Queue that originated events beyond SSF_EMIT_DIRECT_TARGETS go through.
    opts.queueProducers = { SSF_EMIT_QUEUE: { queueName: 'ssf-emit' } };
    opts.queueConsumers = { 'ssf-emit': { maxBatchSize: 10, maxBatchTimeout: 0.2, maxRetries: 10, retryDelay: 0 } };
  }
  // `onOutput(text)`: workerd's stdout and stderr (the worker's console lines) go there.
  // Without it they go to the test's output, less the activity log's one line per entry
  // (tests/worker/activity.test.mjs reads those through onOutput).
  opts.handleRuntimeStdio = (stdout, stderr) => {
    const quiet = (to) => (d) => {
      const text = String(d).split('\n').filter((l) => !l.startsWith('{"activity"')).join('\n');
      if (text.trim()) to.write(text.endsWith('\n') ? text : `${text}\n`);
    };
    stdout.on('data', onOutput ? (d) => onOutput(String(d)) : quiet(process.stdout));
    stderr.on('data', onOutput ? (d) => onOutput(String(d)) : quiet(process.stderr));
  };
  if (persist) {
    opts.kvPersist = path.join(persist, 'kv');
    opts.durableObjectsPersist = path.join(persist, 'do');
  }
  const mf = new Miniflare(opts);
  await mf.ready;
  return new WorkerClient(mf);
}

export class WorkerClient {
  constructor(mf) {
    this.mf = mf;
  }

  async stop() {
    await this.mf.dispose();
  }

  /** Raw request; `body` objects are sent as JSON. Returns {status, headers, text, json}. */
  async request(method, pathOrUrl, { token, body, headers = {}, rawBody } = {}) {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : ORIGIN + pathOrUrl;
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    const bodyless = method === 'GET' || method === 'HEAD';
    if (bodyless) payload = undefined;
    else if (rawBody !== undefined) payload = rawBody;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await this.mf.dispatchFetch(url, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, opts) { return this.request('POST', p, opts); }

  async discovery() {
    const r = await this.get('/.well-known/ssf-configuration');
    assert.equal(r.status, 200);
    return r.json;
  }

  /** Creates a stream; returns its configuration (asserts 201). */
  async createStream(body, token = ALICE) {
    const r = await this.post('/ssf/streams', { token, body });
    assert.equal(r.status, 201, `create stream: ${r.status} ${r.text}`);
    return r.json;
  }

  /** Pushes a SET to a stream config's push endpoint. */
  async push(cfg, set, { authorization = cfg.push.authorization_header, contentType = 'application/secevent+jwt' } = {}) {
    const headers = { 'content-type': contentType, accept: 'application/json' };
    if (authorization !== null) headers.authorization = authorization;
    return this.request('POST', cfg.push.endpoint_url, { headers, rawBody: set });
  }

  /** Polls a stream config's poll endpoint. */
  async poll(cfg, body = { returnImmediately: true }, token = ALICE) {
    return this.post(cfg.delivery.endpoint_url, { token, body });
  }

  /** Polls until nothing is left (returnImmediately, acking everything), collecting SETs. */
  async drain(cfg, token = ALICE) {
    const all = {};
    for (let i = 0; i < 1000; i++) {
      const r = await this.poll(cfg, { returnImmediately: true, ack: Object.keys(all) }, token);
      assert.equal(r.status, 200, r.text);
      Object.assign(all, r.json.sets);
      if (Object.keys(r.json.sets).length === 0 && !r.json.moreAvailable) break;
    }
    await this.poll(cfg, { returnImmediately: true, maxEvents: 0, ack: Object.keys(all) }, token);
    return all;
  }

  async jwks() {
    const r = await this.get('/ssf/jwks.json');
    assert.equal(r.status, 200);
    return r.json;
  }
}

// ---- upstream transmitters -------------------------------------------------------------

/** An upstream transmitter: a key pair, its issuer, and a way to sign SETs. */
export class Upstream {
  static async create({ alg = 'RS256', kid, issuer, audience } = {}) {
    const u = new Upstream();
    u.issuer = issuer ?? `https://idp-${crypto.randomBytes(4).toString('hex')}.example.com`;
    u.audience = audience ?? 'https://rp.example.com/ssf';
    u.keys = [];
    await u.addKey(alg, kid);
    return u;
  }

  async addKey(alg = 'RS256', kid) {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
    const pub = await jose.exportJWK(publicKey);
    const k = { alg, kid: kid ?? `k-${crypto.randomBytes(6).toString('hex')}`, privateKey, publicJwk: pub };
    this.keys.push(k);
    return k;
  }

  jwks() {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
  }

  /** The `source` extension for this upstream with inline keys (or a jwks_uri). */
  source({ jwksUri, algorithms } = {}) {
    const s = { issuer: this.issuer, audience: this.audience };
    if (jwksUri) s.jwks_uri = jwksUri;
    else s.jwks = this.jwks();
    if (algorithms) s.algorithms = algorithms;
    return s;
  }

  /**
   * Signs a SET. `claims` override the defaults; `header` overrides the protected header;
   * `key` picks the key (default the first).
   */
  async sign({ claims = {}, header = {}, key = this.keys[0], event = EV.sessionRevoked, eventBody, subject } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const base = {
      iss: this.issuer,
      jti: crypto.randomUUID(),
      iat: now,
      aud: this.audience,
      sub_id: subject ?? { format: 'email', email: 'user@example.com' },
      events: {
        [event]: eventBody ?? (event === EV.sessionRevoked
          ? { event_timestamp: now, initiating_entity: 'policy', reason_admin: { en: 'test' } }
          : {}),
      },
    };
    const payload = { ...base, ...claims };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    const protectedHeader = { alg: key.alg, kid: key.kid, typ: 'secevent+jwt', ...header };
    for (const [k, v] of Object.entries(protectedHeader)) if (v === undefined) delete protectedHeader[k];
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(protectedHeader)
      .sign(key.privateKey);
  }
}

/** A local HTTP server serving JWKS documents by path, counting requests per path. */
export class JwksServer {
  static async start() {
    const s = new JwksServer();
    s.docs = new Map();
    s.hits = new Map();
    s.server = http.createServer((req, res) => {
      const p = req.url.split('?')[0];
      s.hits.set(p, (s.hits.get(p) ?? 0) + 1);
      const doc = s.docs.get(p);
      if (typeof doc === 'function') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc()));
      } else if (doc) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((r) => s.server.listen(0, '127.0.0.1', r));
    s.base = `http://127.0.0.1:${s.server.address().port}`;
    return s;
  }

  /** Serves `upstream.jwks()` live (key changes show at once) at a fresh path; returns the URL. */
  serve(upstream) {
    const p = `/jwks-${crypto.randomBytes(6).toString('hex')}.json`;
    this.docs.set(p, () => upstream.jwks());
    return this.base + p;
  }

  count(url) {
    return this.hits.get(new URL(url).pathname) ?? 0;
  }

  async stop() {
    await new Promise((r) => this.server.close(r));
  }
}

// ---- push receivers ---------------------------------------------------------------------

/** A push receiver on loopback, programmed per case with `answer(req) -> {status, body, delayMs}`. */
export class PushReceiver {
  static async start(port = 0) {
    const r = new PushReceiver();
    r.got = [];
    r.inFlight = 0;
    r.maxInFlight = 0;
    r.answer = () => ({ status: 202 });
    r.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        r.inFlight++;
        r.maxInFlight = Math.max(r.maxInFlight, r.inFlight);
        const body = Buffer.concat(chunks).toString();
        r.got.push({ method: req.method, url: req.url, headers: req.headers, body });
        const a = r.answer(req, body);
        if (a.delayMs) await sleep(a.delayMs);
        r.inFlight--;
        if (a.hang) return;
        res.writeHead(a.status, a.body ? { 'content-type': 'application/json' } : {});
        res.end(a.body ? JSON.stringify(a.body) : undefined);
      });
    });
    await new Promise((ok) => r.server.listen(port, '127.0.0.1', ok));
    r.port = r.server.address().port;
    r.url = `http://127.0.0.1:${r.port}/events`;
    return r;
  }

  bodies() { return this.got.map((g) => g.body); }

  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((ok) => this.server.close(ok));
  }
}

/** Polls `check` until it answers something truthy (bounded by `ms`). */
export async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// ---- checks of emitted SETs ----------------------------------------------------------------

/**
 * Checks one SET the worker emitted (SSF profile): signature against the worker's jwks_uri,
 * typ, one event, no sub/exp, iss, aud, iat not in the future, sub_id = the stream.
 * Returns {header, payload}.
 */
export async function checkWorkerSet(worker, token, cfg) {
  const disc = await worker.discovery();
  const jwksRes = await worker.request('GET', disc.jwks_uri);
  assert.equal(jwksRes.status, 200);
  const keySet = jose.createLocalJWKSet(jwksRes.json);
  const { payload, protectedHeader } = await jose.compactVerify(token, keySet);
  const claims = JSON.parse(new TextDecoder().decode(payload));
  assert.equal(protectedHeader.typ, 'secevent+jwt', 'typ');
  assert.ok(['RS256', 'PS256', 'ES256'].includes(protectedHeader.alg), 'alg');
  assert.ok(protectedHeader.kid, 'kid');
  assert.equal(claims.iss, disc.issuer, 'iss = issuer');
  assert.equal(claims.iss, cfg.iss, 'iss = stream iss');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const streamAud = Array.isArray(cfg.aud) ? cfg.aud : [cfg.aud];
  assert.deepEqual(aud, streamAud, 'aud = stream aud');
  assert.equal(typeof claims.jti, 'string');
  assert.ok(claims.jti.length >= 16, 'jti unguessable');
  assert.equal(typeof claims.iat, 'number');
  assert.ok(claims.iat <= Math.floor(Date.now() / 1000) + 1, 'iat not in the future');
  assert.equal(claims.sub, undefined, 'no sub');
  assert.equal(claims.exp, undefined, 'no exp');
  assert.deepEqual(claims.sub_id, { format: 'opaque', id: cfg.stream_id }, 'sub_id');
  assert.equal(Object.keys(claims.events).length, 1, 'exactly one event');
  return { header: protectedHeader, payload: claims };
}

export function decodeClaims(token) {
  return jose.decodeJwt(token);
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// ---- make dev ----------------------------------------------------------------------------

/**
 * Runs scripts/dev.sh (`make dev` on a built tree) in its own process group; resolves once
 * discovery answers. `env.PORT` is its port.
 */
export async function startDev(env) {
  const dev = { log: '' };
  const t0 = Date.now();
  dev.proc = spawn('bash', ['scripts/dev.sh'], {
    cwd: ROOT,
    detached: true, // its own process group: stopping it stops the watcher, wrangler and workerd
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.proc.stdout.on('data', (d) => { dev.log += d; });
  dev.proc.stderr.on('data', (d) => { dev.log += d; });
  const exited = new Promise((r) => dev.proc.on('exit', r));
  const base = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/.well-known/ssf-configuration`)).status === 200) break;
    } catch { /* not up yet */ }
    if (dev.proc.exitCode !== null) break;
    await sleep(250);
  }
  dev.readyAfterMs = Date.now() - t0;
  dev.stop = async () => {
    if (dev.proc.exitCode !== null) return;
    try { process.kill(-dev.proc.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-dev.proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  };
  if (dev.proc.exitCode !== null) throw new Error(`make dev exited:\n${dev.log.slice(-3000)}`);
  return dev;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tempDir(prefix = 'ssf-worker-test-') {
  return fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), prefix));
}

export { jose };
