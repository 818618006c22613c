// Processes of the Node benchmarks: starting and stopping servers, waiting for them, and
// the Miniflare host that runs the worker (or a plain-JS floor) in workerd.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitReady(url, child, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url, { method: 'GET' });
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch { /* not yet */ }
    await sleep(250);
  }
  throw new Error(`not ready after ${seconds} s: ${url}`);
}

export function start(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (d) => { lines.push(d.toString()); if (lines.length > 200) lines.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.logTail = () => lines.join('').split('\n').slice(-30).join('\n');
  return child;
}
export function stop(child) {
  if (child && child.exitCode === null) {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  }
}

// The worker runs in workerd through Miniflare (the engine of `wrangler dev`) with an HTTP
// listener on loopback. `wrangler dev` itself adds a proxy worker in a second workerd, its
// Node-side request logging and an attached inspector (which keeps V8 from optimising):
// a development convenience, not what the edge runs, so it is not what is measured.
export const MINIFLARE_HOST = `
const { Miniflare } = require(require.resolve('miniflare', { paths: [process.env.ROOT] }));
const path = require('node:path');
const build = path.join(process.env.ROOT, 'worker/build');
const FLOORS = {
  // The least any worker does: answer.
  hello: 'export default { fetch() { return new Response("{}", { headers: { "content-type": "application/json" } }); } }',
  // The least a durable push receiver does, in plain JS: read the body, one Durable Object
  // call, one SQLite insert, 202. No parsing, no checks.
  durable: \`import { DurableObject } from 'cloudflare:workers';
    export class Q extends DurableObject {
      constructor(state, env) { super(state, env); this.sql = state.storage.sql;
        this.sql.exec('CREATE TABLE IF NOT EXISTS sets (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT UNIQUE, token TEXT, received_at INTEGER)'); }
      async fetch(req) { const token = await req.text();
        this.sql.exec('INSERT INTO sets (jti, token, received_at) VALUES (?, ?, ?)', crypto.randomUUID(), token, Date.now());
        return new Response('{"result":"stored"}'); }
    }
    export default { async fetch(req, env) {
      const token = await req.text();
      const r = await env.Q.get(env.Q.idFromName('s')).fetch('https://q/enqueue', { method: 'POST', body: token });
      await r.text();
      return new Response(null, { status: 202 });
    } };\`,
};
const mf = new Miniflare(process.env.BENCH_FLOOR ? {
  modules: true,
  script: FLOORS[process.env.BENCH_FLOOR],
  durableObjects: { Q: { className: 'Q', useSQLite: true } },
  durableObjectsPersist: path.join(process.env.BENCH_STATE, 'do'),
  compatibilityDate: '2025-09-01', cf: false, host: '127.0.0.1', port: Number(process.env.BENCH_PORT),
} : {
  modules: true,
  scriptPath: path.join(build, 'index.js'),
  modulesRoot: build,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2025-09-01',
  kvNamespaces: ['SSF_KV'],
  durableObjects: {
    SSF_QUEUE: { className: 'SsfQueue', useSQLite: true },
    SSF_NODE: { className: 'SsfNode', useSQLite: true },
    SSF_DIRECTORY: { className: 'SsfDirectory', useSQLite: true },
  },
  // The load test stores tens of thousands of SETs with no backend polling them: lift the
  // per-stream cap (10,000 by default) so every push is stored, as the Node receiver does.
  bindings: { SSF_TOKENS: process.env.BENCH_TOKENS, SSF_MAX_QUEUED_SETS: '10000000', SSF_LOCAL: 'true', ...JSON.parse(process.env.BENCH_VARS || '{}') },
  cf: false,
  host: '127.0.0.1',
  port: Number(process.env.BENCH_PORT),
  kvPersist: path.join(process.env.BENCH_STATE, 'kv'),
  durableObjectsPersist: path.join(process.env.BENCH_STATE, 'do'),
});
mf.ready.then((u) => console.log('ready ' + u.href));
`;

/**
 * Starts the built worker in workerd (MINIFLARE_HOST) on `port` with fresh state,
 * `receivers` receiver tokens and extra variables `vars`: `{child, base, token, tokens,
 * state}` (`token` = the first). Wait with `waitReady`; end with `stopWorker`.
 */
export function launchWorker(port, statePrefix, { receivers = 1, vars = {} } = {}) {
  const state = mkdtempSync(path.join(os.tmpdir(), statePrefix));
  const tokens = Array.from({ length: receivers }, () => randomBytes(18).toString('base64url'));
  const child = start(process.execPath, ['-e', MINIFLARE_HOST], {
    ROOT, BENCH_PORT: String(port), BENCH_STATE: state,
    BENCH_TOKENS: JSON.stringify(Object.fromEntries(tokens.map((t, i) => [t, `bench-${i}`]))),
    BENCH_VARS: JSON.stringify(vars),
  });
  return { child, base: `http://127.0.0.1:${port}`, token: tokens[0], tokens, state };
}

export async function stopWorker({ child, state }) {
  stop(child);
  await sleep(500);
  rmSync(state, { recursive: true, force: true });
}
