// Push receivers under load: our worker in workerd (Miniflare) and a minimal Node + jose
// receiver (bench/node-receiver.mjs), measured one after the other on the same machine.
//   - CPU per accepted push: CPU time of the receiver's process tree (/proc, every workerd
//     and node process it started) over N sequential pushes, minus the idle rate, / N;
//   - sustained pushes/s and p50/p99 latency: autocannon on loopback for LOAD_SECONDS;
//   - poll of 100 queued SETs: 100 pushes, then one RFC 8936 poll that returns them all.
// Writes a JSON result to argv[2]. Environment: LOAD_SECONDS (default 30), BENCH_PORT
// (default 18787), SSF_BENCH_QUICK=1 (short everything), SKIP_WORKER=1 / SKIP_NODE=1.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createPrivateKey, sign as cryptoSign, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ROOT, NOW, ISS, AUD, claims, keys, median } from './lib.mjs';
import { MINIFLARE_HOST, launchWorker, start, stop, stopWorker, waitReady } from './procs.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const quick = process.env.SSF_BENCH_QUICK === '1';
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS || (quick ? 5 : 30));
const RS_LOAD_SECONDS = quick ? 3 : 10;
const SEQ_PUSHES = quick ? 100 : 300;
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS || 16);
const PORT = Number(process.env.BENCH_PORT || 18787);
const CLK_TCK = 100; // Linux USER_HZ
let CPU_ONLY = null;
const out = { load_seconds: LOAD_SECONDS, connections: CONNECTIONS, sequential_pushes: SEQ_PUSHES };
const log = (...a) => console.log('[receivers]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- tokens: signed natively (fast) with the same keys and claims as the other benches ----
const K = keys();
const b64 = (s) => Buffer.from(s).toString('base64url');
function signToken(alg, n) {
  const k = K[alg];
  const priv = createPrivateKey({ key: k.privateJwk, format: 'jwk' });
  const header = b64(JSON.stringify({ alg, kid: k.kid, typ: 'secevent+jwt' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64(JSON.stringify(claims({ jti: `${alg}-${n}-${randomBytes(6).toString('hex')}`, iat: now })));
  const input = `${header}.${payload}`;
  const sig = alg === 'ES256'
    ? cryptoSign('sha256', Buffer.from(input), { key: priv, dsaEncoding: 'ieee-p1363' })
    : cryptoSign('sha256', Buffer.from(input), priv);
  return `${input}.${sig.toString('base64url')}`;
}
const tokens = (alg, count) => Array.from({ length: count }, (_, i) => signToken(alg, i));
const jwks = { keys: [K.ES256.publicJwk, K.RS256.publicJwk] };

// ---- process-tree CPU from /proc ---------------------------------------------------------
function procTable() {
  const t = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      t.push({ pid: Number(d), name, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone */ }
  }
  return t;
}
// The worker's figure counts only the workerd processes (the Miniflare host in Node does
// no per-request work); the Node receiver's counts its one process.
function treeCpuSeconds(rootPid, only = CPU_ONLY) {
  const t = procTable();
  const pids = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of t) if (!pids.has(p.pid) && pids.has(p.ppid)) { pids.add(p.pid); grew = true; }
  }
  return t.filter((p) => pids.has(p.pid) && (!only || p.name === only)).reduce((a, p) => a + p.ticks, 0) / CLK_TCK;
}

// ---- HTTP helpers ---------------------------------------------------------------------------
async function pushOne(target, token) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(target.pushUrl, {
    method: 'POST',
    headers: { authorization: target.pushAuth, 'content-type': 'application/secevent+jwt' },
    body: token,
  });
  const body = await r.text();
  if (r.status !== 202) throw new Error(`push answered ${r.status}: ${body}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function pollOnce(target, body) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(target.pollUrl, {
    method: 'POST',
    headers: { authorization: target.pollAuth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (r.status !== 200) throw new Error(`poll answered ${r.status}: ${JSON.stringify(json)}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, json };
}

// ---- the measurements, the same for both receivers ----------------------------------------
async function cpuPerPush(target, alg) {
  const list = tokens(alg, SEQ_PUSHES + 20);
  for (const t of list.slice(0, 20)) await pushOne(target, t); // warm-up (JIT, key caches)
  const idle0 = treeCpuSeconds(target.pid);
  await sleep(1000);
  const idleRate = treeCpuSeconds(target.pid) - idle0; // CPU seconds per wall second at rest
  const c0 = treeCpuSeconds(target.pid);
  const w0 = Date.now();
  const lat = [];
  for (const t of list.slice(20)) lat.push(await pushOne(target, t));
  const wall = (Date.now() - w0) / 1000;
  const cpu = treeCpuSeconds(target.pid) - c0 - idleRate * wall;
  return { cpu_ms_per_push: (cpu * 1000) / SEQ_PUSHES, seq_latency_p50_ms: median(lat), idle_cpu_per_s: idleRate };
}

// The load tests' tokens, signed once and replayed to both receivers (RSA signing alone
// would otherwise take tens of seconds of the benchmark's budget). A list shorter than a
// run repeats `jti`s: both receivers answer those 202 as duplicates.
const loadLists = {};
function loadTokens(alg) {
  loadLists[alg] ??= tokens(alg, quick ? 2000 : alg === 'RS256' ? 10000 : 20000);
  return loadLists[alg];
}

async function load(target, alg, seconds) {
  const list = loadTokens(alg);
  let i = 0;
  const c0 = treeCpuSeconds(target.pid);
  const result = await autocannon({
    url: target.pushUrl,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: target.pushAuth, 'content-type': 'application/secevent+jwt' },
    requests: [{ setupRequest: (req) => ({ ...req, body: list[i++ % list.length] }) }],
  });
  const cpu = treeCpuSeconds(target.pid) - c0;
  const ok = result['2xx'];
  return {
    pushes_per_s: ok / seconds,
    accepted: ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    cpu_ms_per_push_under_load: ok ? (cpu * 1000) / ok : null,
  };
}

async function poll100(target, rounds = quick ? 2 : 5) {
  // Empty the queue first (the load test filled it).
  for (let k = 0; k < 1000; k++) {
    const { json } = await pollOnce(target, { maxEvents: 100, returnImmediately: true });
    const ids = Object.keys(json.sets);
    if (ids.length === 0) break;
    await pollOnce(target, { maxEvents: 0, returnImmediately: true, ack: ids });
  }
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of tokens('ES256', 100)) await pushOne(target, t);
    const { ms, json } = await pollOnce(target, { maxEvents: 100, returnImmediately: true });
    const n = Object.keys(json.sets).length;
    if (n !== 100) throw new Error(`poll returned ${n} SETs, expected 100`);
    times.push(ms);
    await pollOnce(target, { maxEvents: 0, returnImmediately: true, ack: Object.keys(json.sets) });
  }
  return { poll100_ms: median(times) };
}

async function measure(name, target) {
  const r = {};
  for (const alg of ['ES256', 'RS256']) {
    r[alg] = await cpuPerPush(target, alg);
    log(`${name} ${alg}: ${r[alg].cpu_ms_per_push.toFixed(3)} ms CPU per push, sequential p50 ${r[alg].seq_latency_p50_ms.toFixed(2)} ms`);
  }
  r.load = {};
  for (const [alg, secs] of [['ES256', LOAD_SECONDS], ['RS256', RS_LOAD_SECONDS]]) {
    r.load[alg] = await load(target, alg, secs);
    const l = r.load[alg];
    log(`${name} ${alg} load ${secs} s x ${CONNECTIONS} conns: ${l.pushes_per_s.toFixed(0)} pushes/s, p50 ${l.p50_ms} ms, p99 ${l.p99_ms} ms, non-2xx ${l.non2xx}, errors ${l.errors}`);
  }
  Object.assign(r, await poll100(target));
  log(`${name} poll of 100 queued SETs: ${r.poll100_ms.toFixed(1)} ms`);
  return r;
}

/** CPU per request of a few request kinds, to split a push's cost into its steps. */
async function breakdown(target, base) {
  const n = quick ? 40 : 120;
  const kinds = [
    ['get_discovery', () => [`${base}/.well-known/ssf-configuration`, {}]],
    ['push_wrong_auth', () => [target.pushUrl, { method: 'POST', headers: { authorization: 'Bearer wrong', 'content-type': 'application/secevent+jwt' }, body: 'x.y.z' }]],
    ['push_bad_sig_ES256', () => [target.pushUrl, { method: 'POST', headers: { authorization: target.pushAuth, 'content-type': 'application/secevent+jwt' }, body: signToken('ES256', 0).slice(0, -4) + 'AAAA' }]],
    ['push_ok_ES256', () => [target.pushUrl, { method: 'POST', headers: { authorization: target.pushAuth, 'content-type': 'application/secevent+jwt' }, body: signToken('ES256', 1) }]],
  ];
  const r = {};
  // Two passes, the first only warms every path (JIT tiers, caches); the second counts.
  for (const pass of [0, 1]) for (const [name, mk] of kinds) {
    const reqs = Array.from({ length: n + 10 }, mk);
    for (const [u, i] of reqs.slice(0, 10)) await (await fetch(u, i)).arrayBuffer();
    const c0 = treeCpuSeconds(target.pid);
    for (const [u, i] of reqs.slice(10)) await (await fetch(u, i)).arrayBuffer();
    if (pass === 1) r[name] = ((treeCpuSeconds(target.pid) - c0) * 1000) / n;
  }
  log(`worker CPU ms per request: ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  return r;
}

/**
 * CPU per request of minimal plain-JS workers in the same workerd: `hello` (the runtime's
 * own floor) and `durable` (the least a receiver that stores before answering does).
 */
async function floor(kind) {
  const port = PORT + 2;
  const state = mkdtempSync(path.join(os.tmpdir(), 'ssf-bench-floor-'));
  const child = start(process.execPath, ['-e', MINIFLARE_HOST], { ROOT, BENCH_PORT: String(port), BENCH_FLOOR: kind, BENCH_STATE: state });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitReady(url, child, 60);
    const n = quick ? 40 : 200;
    const body = tokens('ES256', 1)[0];
    const req = () => fetch(url, { method: 'POST', body });
    for (let i = 0; i < 20; i++) await (await req()).arrayBuffer();
    const c0 = treeCpuSeconds(child.pid, 'workerd');
    for (let i = 0; i < n; i++) await (await req()).arrayBuffer();
    return ((treeCpuSeconds(child.pid, 'workerd') - c0) * 1000) / n;
  } finally {
    stop(child);
    await sleep(300);
    rmSync(state, { recursive: true, force: true });
  }
}

async function worker() {
  const host = launchWorker(PORT, 'ssf-bench-');
  const { child, base, token } = host;
  try {
    await waitReady(`${base}/.well-known/ssf-configuration`, child, 60);
    const r = await fetch(`${base}/ssf/streams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events_requested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
        delivery: { method: 'urn:ietf:rfc:8936' },
        source: { issuer: ISS, jwks, audience: AUD },
      }),
    });
    const stream = await r.json();
    if (r.status !== 201) throw new Error(`stream creation answered ${r.status}: ${JSON.stringify(stream)}`);
    const target = {
      pid: child.pid,
      pushUrl: stream.push.endpoint_url,
      pushAuth: stream.push.authorization_header,
      pollUrl: stream.delivery.endpoint_url,
      pollAuth: `Bearer ${token}`,
    };
    CPU_ONLY = 'workerd';
    // The split first, while the queue is small (the load test leaves tens of thousands).
    const split = await breakdown(target, base);
    const m = await measure('worker (workerd)', target);
    CPU_ONLY = null;
    m.miniflare_host_cpu_s = treeCpuSeconds(child.pid, 'node');
    m.breakdown = split;
    m.breakdown.hello_world = await floor('hello');
    m.breakdown.durable_floor = await floor('durable');
    log(`floors in the same workerd, plain JS: hello world ${m.breakdown.hello_world.toFixed(2)} ms, body + Durable Object call + SQLite insert ${m.breakdown.durable_floor.toFixed(2)} ms CPU per request`);
    return m;
  } catch (e) {
    console.error(child.logTail());
    throw e;
  } finally {
    await stopWorker(host);
  }
}

async function nodeReceiver() {
  const port = PORT + 1;
  const pushAuth = `Bearer ${randomBytes(24).toString('hex')}`;
  const pollAuth = `Bearer ${randomBytes(18).toString('base64url')}`;
  const child = start(process.execPath, [path.join(ROOT, 'bench/node-receiver.mjs'), String(port), ISS, AUD, pushAuth, pollAuth, JSON.stringify(jwks)], {});
  try {
    await waitReady(`http://127.0.0.1:${port}/`, child, 30);
    return await measure('node + jose', {
      pid: child.pid,
      pushUrl: `http://127.0.0.1:${port}/push`,
      pushAuth,
      pollUrl: `http://127.0.0.1:${port}/poll`,
      pollAuth,
    });
  } catch (e) {
    console.error(child.logTail());
    throw e;
  } finally {
    stop(child);
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
if (process.env.SKIP_WORKER !== '1') {
  try {
    out.worker = await worker();
  } catch (e) {
    out.worker = { error: String(e.message || e) };
    log(`worker: not measured (${out.worker.error})`);
  }
}
if (process.env.SKIP_NODE !== '1') {
  try {
    out.node_jose = await nodeReceiver();
  } catch (e) {
    out.node_jose = { error: String(e.message || e) };
    log(`node + jose: not measured (${out.node_jose.error})`);
  }
}
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
