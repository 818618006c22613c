// Push out (RFC 8935): SETs pushed into the worker and pushed on by it to a receiver, against
// a minimal Node relay (bench/node-relay.mjs) doing the same in the same run.
//   - SETs pushed out per second: N SETs pushed in (16 at a time), from the first accepted
//     push-in to the last SET arriving at the receiver; one stream, and ten streams;
//   - delay: median time from a push-in answered 202 to its arrival at the receiver.
// The receiver is a Node http server on loopback answering 202. Writes JSON to argv[2].
// Environment: SSF_BENCH_QUICK=1 (fewer SETs), BENCH_PORT (default 18797).
import http from 'node:http';
import { createPrivateKey, sign as cryptoSign, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ISS, AUD, claims, keys, median } from './lib.mjs';
import { launchWorker, start, stop, stopWorker, waitReady } from './procs.mjs';

const quick = process.env.SSF_BENCH_QUICK === '1';
const N = quick ? 200 : 1000;
const PORT = Number(process.env.BENCH_PORT || 18797);
const log = (...a) => console.log('[relay]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const K = keys().ES256;
const priv = createPrivateKey({ key: K.privateJwk, format: 'jwk' });
const b64 = (s) => Buffer.from(s).toString('base64url');
function token(i) {
  const header = b64(JSON.stringify({ alg: 'ES256', kid: K.kid, typ: 'secevent+jwt' }));
  const jti = `relay-${i}-${randomBytes(6).toString('hex')}`;
  const payload = b64(JSON.stringify(claims({ jti, iat: Math.floor(Date.now() / 1000) })));
  const input = `${header}.${payload}`;
  const sig = cryptoSign('sha256', Buffer.from(input), { key: priv, dsaEncoding: 'ieee-p1363' });
  return { jti, token: `${input}.${sig.toString('base64url')}` };
}
const jwks = { keys: [K.publicJwk] };

/** The receiver at the end of the chain: records when each jti arrives. */
async function sink(port) {
  const arrived = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const t = performance.now();
      const body = Buffer.concat(chunks).toString();
      try {
        const jti = JSON.parse(Buffer.from(body.split('.')[1], 'base64url')).jti;
        if (!arrived.has(jti)) arrived.set(jti, t);
      } catch { /* not ours */ }
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { arrived, url: `http://127.0.0.1:${port}/in`, close: () => new Promise((r) => server.close(r)) };
}

/** Pushes `sets` (round-robin over `targets`) 16 at a time; resolves to accept times by jti. */
async function pushAll(sets, targets) {
  const accepted = new Map();
  let next = 0;
  const lane = async () => {
    while (next < sets.length) {
      const i = next++;
      const t = targets[i % targets.length];
      const r = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/secevent+jwt', ...(t.auth ? { authorization: t.auth } : {}) },
        body: sets[i].token,
      });
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`push-in answered ${r.status}`);
      accepted.set(sets[i].jti, performance.now());
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return accepted;
}

async function run(name, targets, rcv) {
  const sets = Array.from({ length: N }, (_, i) => token(i));
  rcv.arrived.clear();
  const t0 = performance.now();
  const accepted = await pushAll(sets, targets);
  const deadline = Date.now() + 120_000;
  while (rcv.arrived.size < N && Date.now() < deadline) await sleep(20);
  if (rcv.arrived.size < N) throw new Error(`${name}: only ${rcv.arrived.size} of ${N} arrived`);
  const last = Math.max(...rcv.arrived.values());
  const delays = sets.map((s) => rcv.arrived.get(s.jti) - accepted.get(s.jti));
  const r = { sets: N, per_s: N / ((last - t0) / 1000), delay_p50_ms: median(delays) };
  log(`${name}: ${r.per_s.toFixed(0)} SETs/s pushed out, median push-in -> arrival ${r.delay_p50_ms.toFixed(1)} ms`);
  return r;
}

async function worker(rcv) {
  const host = launchWorker(PORT, 'ssf-bench-relay-');
  const { child, base, token: tok } = host;
  try {
    await waitReady(`${base}/.well-known/ssf-configuration`, child, 60);
    const streams = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${base}/ssf/streams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          source: { issuer: ISS, jwks, audience: AUD },
          delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: rcv.url },
        }),
      });
      const s = await r.json();
      if (r.status !== 201) throw new Error(`stream creation answered ${r.status}: ${JSON.stringify(s)}`);
      streams.push({ url: s.push.endpoint_url, auth: s.push.authorization_header });
    }
    return { one_stream: await run('worker, 1 stream', streams.slice(0, 1), rcv), ten_streams: await run('worker, 10 streams', streams, rcv) };
  } catch (e) {
    console.error(child.logTail());
    throw e;
  } finally {
    await stopWorker(host);
  }
}

async function nodeRelay(rcv) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssf-bench-node-relay-'));
  const port = PORT + 1;
  const child = start(process.execPath, [path.join(ROOT, 'bench/node-relay.mjs'), String(port), ISS, AUD,
    JSON.stringify(jwks), rcv.url, path.join(dir, 'log')], {});
  try {
    await waitReady(`http://127.0.0.1:${port}/`, child, 30);
    const t = [{ url: `http://127.0.0.1:${port}/push` }];
    return { one_stream: await run('node relay', t, rcv) };
  } catch (e) {
    console.error(child.logTail());
    throw e;
  } finally {
    stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = {};
const rcv = await sink(PORT + 2);
try {
  out.worker = await worker(rcv).catch((e) => ({ error: String(e.message || e) }));
  out.node = await nodeRelay(rcv).catch((e) => ({ error: String(e.message || e) }));
} finally {
  await rcv.close();
}
writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
process.exit(0);
