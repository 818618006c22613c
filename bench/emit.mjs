// Originated events (POST /ssf/events): the worker signs one SET per matching stream and
// stores it in that stream's queue before answering 202. Measured with 1, 100 and 1,000
// matching streams (1,000 streams in all, of 10 receivers):
//   - time to 202 (median of several emits);
//   - CPU per target SET: CPU of the whole workerd process tree over the emits / SETs made;
// beside the peer, jose in Node signing the same SETs (ES256, the same claims, one per
// target) in the same run: its time for the same number of SETs and its CPU per SET.
// The worker signs with the same ES256 key (SSF_SIGNING_JWK). Writes JSON to argv[2].
// Environment: SSF_BENCH_QUICK=1 (fewer repeats), BENCH_PORT (default 18807).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { keys, median } from './lib.mjs';
import { launchWorker, stopWorker, waitReady } from './procs.mjs';

const quick = process.env.SSF_BENCH_QUICK === '1';
const PORT = Number(process.env.BENCH_PORT || 18807);
const STREAMS = 1000;
const RECEIVERS = 10;
const log = (...a) => console.log('[emit]', ...a);

const EV = {
  one: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  hundred: 'https://schemas.openid.net/secevent/risc/event-type/credential-compromise',
  all: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
};
const CLAIMS = {
  [EV.one]: { event_timestamp: 1_700_000_000, initiating_entity: 'policy', reason_admin: { en: 'Landspeed Policy Violation' } },
  [EV.hundred]: { credential_type: 'password' },
  [EV.all]: { reason: 'hijacking' },
};
const SUB = { format: 'email', email: 'alice@example.com' };
const K = keys().ES256;

/** CPU ms (user + system) of process `root` and all its descendants. */
function treeCpuMs(root) {
  const stats = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone */ }
  }
  const inTree = (pid) => {
    for (let p = pid, i = 0; p > 1 && i < 64; i++) {
      if (p === root) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks * 10; // USER_HZ = 100
}

async function api(base, token, p, body) {
  const r = await fetch(base + p, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

async function worker() {
  const emitter = randomBytes(18).toString('base64url');
  const host = launchWorker(PORT, 'ssf-bench-emit-', {
    receivers: RECEIVERS,
    vars: { SSF_EMITTER_TOKENS: JSON.stringify([emitter]), SSF_SIGNING_JWK: JSON.stringify(K.privateJwk) },
  });
  const { child, base, tokens } = host;
  try {
    await waitReady(`${base}/.well-known/ssf-configuration`, child, 60);
    // Stream 0 takes all three event types, streams 1-99 two, the others one.
    let next = 0;
    const lane = async () => {
      while (next < STREAMS) {
        const i = next++;
        const events_requested = i === 0 ? [EV.one, EV.hundred, EV.all] : i < 100 ? [EV.hundred, EV.all] : [EV.all];
        const r = await api(base, tokens[i % RECEIVERS], '/ssf/streams', { events_requested });
        if (r.status !== 201) throw new Error(`stream creation answered ${r.status}: ${JSON.stringify(r.json)}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    log(`${STREAMS} streams created`);
    const out = {};
    for (const [name, uri, targets, reps] of [
      ['one', EV.one, 1, quick ? 5 : 40],
      ['hundred', EV.hundred, 100, quick ? 2 : 10],
      ['thousand', EV.all, 1000, quick ? 1 : 4],
    ]) {
      const body = { sub_id: SUB, events: { [uri]: CLAIMS[uri] } };
      // One emit first: isolates and objects warm, as in steady operation.
      await api(base, emitter, '/ssf/events', body);
      const times = [];
      const cpu0 = treeCpuMs(child.pid);
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        const r = await api(base, emitter, '/ssf/events', body);
        times.push(performance.now() - t0);
        const n = Object.keys(r.json?.sets ?? {}).length;
        if (r.status !== 202 || n !== targets) throw new Error(`${name}: ${r.status}, ${n} SETs (want ${targets})`);
      }
      const cpu = treeCpuMs(child.pid) - cpu0;
      out[name] = { targets, reps, ms_to_202_p50: median(times), cpu_ms_per_set: cpu / (reps * targets) };
      log(`worker, ${targets} target(s): 202 after ${out[name].ms_to_202_p50.toFixed(1)} ms (median of ${reps}), ${out[name].cpu_ms_per_set.toFixed(2)} CPU ms per SET`);
    }
    return out;
  } catch (e) {
    console.error(child.logTail());
    throw e;
  } finally {
    await stopWorker(host);
  }
}

/** jose in Node: the same SETs, one per target, signed one after another. */
async function joseSigning() {
  const key = await jose.importJWK(K.privateJwk, 'ES256');
  const out = {};
  for (const [name, uri, targets, reps] of [
    ['one', EV.one, 1, quick ? 50 : 400],
    ['hundred', EV.hundred, 100, quick ? 4 : 20],
    ['thousand', EV.all, 1000, quick ? 1 : 4],
  ]) {
    const times = [];
    const c0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      for (let i = 0; i < targets; i++) {
        await new jose.SignJWT({ sub_id: SUB, events: { [uri]: CLAIMS[uri] } })
          .setProtectedHeader({ alg: 'ES256', kid: K.kid, typ: 'secevent+jwt' })
          .setIssuer('https://node.example.com')
          .setAudience(`receiver-${i % RECEIVERS}`)
          .setJti(randomBytes(16).toString('hex'))
          .setIssuedAt()
          .sign(key);
      }
      times.push(performance.now() - t0);
    }
    const c = process.cpuUsage(c0);
    out[name] = { targets, reps, ms_p50: median(times), cpu_ms_per_set: (c.user + c.system) / 1000 / (reps * targets) };
    log(`jose, ${targets} SET(s): ${out[name].ms_p50.toFixed(2)} ms, ${out[name].cpu_ms_per_set.toFixed(3)} CPU ms per SET`);
  }
  return out;
}

const out = {};
out.jose = await joseSigning().catch((e) => ({ error: String(e.message || e) }));
out.worker = await worker().catch((e) => ({ error: String(e.message || e) }));
writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
process.exit(0);
