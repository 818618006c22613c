// The thing a user would write instead of our worker: a minimal RFC 8935 push receiver
// on Node's http server and `jose`, with an in-memory RFC 8936 poll queue. It makes the
// same checks the worker makes (Authorization, Content-Type, 64 KiB limit, signature,
// typ, iss, aud, the SET profile's required claims) and answers 202 / 400 alike.
//
// Usage: node bench/node-receiver.mjs PORT ISSUER AUDIENCE PUSH_AUTH POLL_AUTH JWKS_JSON
import http from 'node:http';
import { createRequire } from 'node:module';
import { ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const jose = await import(require.resolve('jose', { paths: [ROOT] }));

const [port, issuer, audience, pushAuth, pollAuth, jwksJson] = process.argv.slice(2);
const jwks = jose.createLocalJWKSet(JSON.parse(jwksJson));
const queue = new Map(); // jti -> SET, in arrival order
const MAX = 64 * 1024;

function send(res, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX) { reject(new Error('too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errCode(e) {
  if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (e.claim === 'iss') return 'invalid_issuer';
    if (e.claim === 'aud') return 'invalid_audience';
    return 'invalid_request';
  }
  if (e.code === 'ERR_JWKS_NO_MATCHING_KEY' || e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ||
      e.code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'invalid_key';
  return 'invalid_request';
}

async function push(req, res) {
  if (req.headers.authorization !== pushAuth) return send(res, 401, { err: 'authentication_failed', description: 'bad credentials' });
  if ((req.headers['content-type'] || '').split(';')[0].trim() !== 'application/secevent+jwt') {
    return send(res, 400, { err: 'invalid_request', description: 'Content-Type' });
  }
  const token = await readBody(req);
  try {
    const { payload } = await jose.jwtVerify(token, jwks, { issuer, audience, typ: 'secevent+jwt' });
    if (payload.sub !== undefined || payload.exp !== undefined || typeof payload.jti !== 'string' ||
        typeof payload.iat !== 'number' || typeof payload.events !== 'object' || payload.events === null ||
        typeof payload.sub_id !== 'object') {
      return send(res, 400, { err: 'invalid_request', description: 'not an SSF SET' });
    }
    if (!queue.has(payload.jti)) queue.set(payload.jti, token);
    return send(res, 202);
  } catch (e) {
    return send(res, 400, { err: errCode(e), description: e.message });
  }
}

async function poll(req, res) {
  if (req.headers.authorization !== pollAuth) return send(res, 401, { err: 'authentication_failed', description: 'bad credentials' });
  const body = JSON.parse((await readBody(req)) || '{}');
  for (const jti of body.ack || []) queue.delete(jti);
  for (const jti of Object.keys(body.setErrs || {})) queue.delete(jti);
  const max = body.maxEvents === undefined ? 100 : body.maxEvents;
  const sets = {};
  let n = 0;
  for (const [jti, set] of queue) {
    if (n >= max) break;
    sets[jti] = set;
    n++;
  }
  res.setHeader('cache-control', 'no-store');
  return send(res, 200, { sets, moreAvailable: queue.size > n });
}

http
  .createServer((req, res) => {
    const handler = req.method === 'POST' && req.url === '/push' ? push : req.method === 'POST' && req.url === '/poll' ? poll : null;
    if (!handler) return send(res, 404, { err: 'invalid_request', description: 'no such endpoint' });
    handler(req, res).catch((e) => send(res, 400, { err: 'invalid_request', description: String(e.message) }));
  })
  .listen(Number(port), '127.0.0.1', () => console.log(`node+jose receiver on ${port}`));
