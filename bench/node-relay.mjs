// The peer of the push-out benchmark: the least a relay that must not lose a SET does, on
// Node: receive a push, verify it with `jose`, append it to a log file and fsync (stored
// before answering 202, as the worker stores before answering), then push it on to the
// receiver with fetch, at most CONCURRENCY at a time, retrying on failure.
//
// Usage: node bench/node-relay.mjs PORT ISSUER AUDIENCE JWKS_JSON TARGET_URL LOG_FILE
import http from 'node:http';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const jose = await import(require.resolve('jose', { paths: [ROOT] }));
const [port, issuer, audience, jwksJson, target, logFile] = process.argv.slice(2);
const jwks = jose.createLocalJWKSet(JSON.parse(jwksJson));
const fd = fs.openSync(logFile, 'a');
const CONCURRENCY = 4;
const pending = [];
let inFlight = 0;

function pump() {
  while (inFlight < CONCURRENCY && pending.length) {
    const token = pending.shift();
    inFlight++;
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })
      .then(async (r) => { await r.arrayBuffer(); if (r.status >= 300 && r.status !== 400) pending.push(token); })
      .catch(() => pending.push(token))
      .finally(() => { inFlight--; pump(); });
  }
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.method === 'GET') { res.writeHead(200); res.end(); return; }
    const token = Buffer.concat(chunks).toString().trim();
    try {
      await jose.jwtVerify(token, jwks, { issuer, audience, typ: 'secevent+jwt' });
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ err: 'invalid_request', description: String(e.message) }));
      return;
    }
    fs.writeSync(fd, `${token}\n`);
    fs.fsyncSync(fd);
    res.writeHead(202);
    res.end();
    pending.push(token);
    pump();
  });
}).listen(Number(port), '127.0.0.1');
