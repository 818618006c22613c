// The npm package's transport against what jose users write, in one run (make bench):
//   1. verifySetAsync with a createRemoteJwks source vs jose.jwtVerify with
//      createRemoteJWKSet, both warm (keys fetched once from a local jwks_uri), ES256 and
//      RS256, interleaved rounds in one process;
//   2. an RFC 8935 push endpoint end to end under node:http: nodePushHandler vs a
//      hand-written jose endpoint (bench/transport-endpoint.mjs), each in its own process,
//      loaded in interleaved rounds from this one over keep-alive connections.
// Writes a JSON result to argv[2]. SSF_BENCH_QUICK=1 shortens everything.
import http from 'node:http';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, NOW, ISS, AUD, claims, keys, compare, median } from './lib.mjs';
import { start, stop, waitReady } from './procs.mjs';

const require = createRequire(import.meta.url);
const ssf = require(path.join(ROOT, 'js-bindings/pkg'));
const jose = await import(require.resolve('jose', { paths: [ROOT] }));

const quick = process.env.SSF_BENCH_QUICK === '1';
const timing = quick ? { rounds: 3, ms: 100, warmupMs: 50 } : { rounds: 5, ms: 300, warmupMs: 200 };
const LOAD = quick ? { rounds: 2, ms: 1000, warmupMs: 500 } : { rounds: 5, ms: 3000, warmupMs: 1500 };
const CONNECTIONS = 8;
const PORT = Number(process.env.BENCH_PORT || 18787) + 10;
const AUTH = 'Bearer bench-push-credential';
const log = (...a) => console.log('[transport]', ...a);

const K = keys();
const jwksDoc = JSON.stringify({ keys: [K.ES256.publicJwk, K.RS256.publicJwk] });
let jwksFetches = 0;
const jwksServer = http.createServer((req, res) => {
  jwksFetches++;
  res.writeHead(200, { 'content-type': 'application/json' }).end(jwksDoc);
});
await new Promise((r) => jwksServer.listen(0, '127.0.0.1', r));
const jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
const out = { node: process.version, connections: CONNECTIONS, verify: {}, push: {} };

// ---- 1. verify, warm ------------------------------------------------------------------------
const remote = ssf.createRemoteJwks(jwksUrl);
const joseRemote = jose.createRemoteJWKSet(new URL(jwksUrl));
for (const alg of ['ES256', 'RS256']) {
  const k = K[alg];
  const token = ssf.signSet(claims(), { jwk: k.privateJwk, alg, kid: k.kid });
  const ours = { jwks: remote, issuer: ISS, audience: AUD, now: NOW };
  const theirs = { issuer: ISS, audience: AUD, typ: 'secevent+jwt', currentDate: new Date(NOW * 1000), algorithms: [alg] };
  await ssf.verifySetAsync(token, ours); // both accept it, and both are warm, before timing
  await jose.jwtVerify(token, joseRemote, theirs);
  const r = await compare(
    [
      { name: 'ssf', fn: () => ssf.verifySetAsync(token, ours), async: true },
      { name: 'jose', fn: () => jose.jwtVerify(token, joseRemote, theirs), async: true },
    ],
    timing,
  );
  out.verify[alg] = r;
  log(`${alg} verify ops/s: verifySetAsync+createRemoteJwks ${r.ssf.toFixed(0)}, jose.jwtVerify+createRemoteJWKSet ${r.jose.toFixed(0)} (${(r.ssf / r.jose).toFixed(2)}x)`);
}
out.jwks_fetches_verify = jwksFetches;

// ---- 2. push endpoints under node:http ---------------------------------------------------------
const token = ssf.signSet(claims(), { jwk: K.ES256.privateJwk, alg: 'ES256', kid: K.ES256.kid });
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
function post(port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/events', agent, headers: {
      authorization: AUTH, 'content-type': 'application/secevent+jwt', 'content-length': Buffer.byteLength(token),
    } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(token);
  });
}
async function load(port, ms) {
  const end = Date.now() + ms;
  let ok = 0;
  let other = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < end) {
      if ((await post(port)) === 202) ok++;
      else other++;
    }
  }));
  if (other) throw new Error(`port ${port}: ${other} answers other than 202`);
  return ok / (Number(process.hrtime.bigint() - t0) / 1e9);
}
const servers = {};
try {
  for (const [i, mode] of ['ours', 'jose'].entries()) {
    const port = PORT + i;
    const child = start(process.execPath, ['bench/transport-endpoint.mjs', mode, String(port), jwksUrl, ISS, AUD, AUTH, String(NOW)]);
    servers[mode] = { port, child };
    await waitReady(`http://127.0.0.1:${port}/events`, child, 30);
  }
  for (const s of Object.values(servers)) await load(s.port, LOAD.warmupMs);
  const seen = { ours: [], jose: [] };
  for (let r = 0; r < LOAD.rounds; r++) {
    for (const [mode, s] of Object.entries(servers)) seen[mode].push(await load(s.port, LOAD.ms));
  }
  out.push = { ours: median(seen.ours), jose: median(seen.jose), rounds: LOAD.rounds, round_ms: LOAD.ms, token_bytes: token.length };
  log(`push endpoint 202/s (ES256, ${CONNECTIONS} connections): nodePushHandler ${out.push.ours.toFixed(0)}, hand-written jose ${out.push.jose.toFixed(0)} (${(out.push.ours / out.push.jose).toFixed(2)}x)`);
} finally {
  for (const s of Object.values(servers)) stop(s.child);
  agent.destroy();
  jwksServer.close();
}
out.jwks_fetches_total = jwksFetches;
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
