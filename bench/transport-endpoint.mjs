// One RFC 8935 push endpoint on node:http for bench/transport.mjs, keys from a jwks_uri:
//   ours: nodePushHandler with a createRemoteJwks source (the package's receiver);
//   jose: what a user writes by hand with jose's createRemoteJWKSet, making the same checks
//         (method, Authorization in constant time, Content-Type, 64 KiB, signature, typ,
//         iss, aud, the SET claims) and answering 202 / 400 / 401 / 405 / 413 / 415 alike.
// Usage: node bench/transport-endpoint.mjs ours|jose PORT JWKS_URL ISSUER AUDIENCE AUTH NOW
import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const [mode, port, jwksUrl, issuer, audience, auth, now] = process.argv.slice(2);

let handler;
if (mode === 'ours') {
  const ssf = require(path.join(ROOT, 'js-bindings/pkg'));
  handler = ssf.nodePushHandler({
    jwks: ssf.createRemoteJwks(jwksUrl),
    issuer,
    audience,
    now: Number(now),
    authorizationHeader: auth,
    onSet() {},
  });
} else {
  const jose = await import(require.resolve('jose', { paths: [ROOT] }));
  const keys = jose.createRemoteJWKSet(new URL(jwksUrl));
  const digest = (s) => createHash('sha256').update(s).digest();
  const expected = digest(auth);
  const MAX = 64 * 1024;
  const send = (res, status, err, description) => {
    if (!err) return res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ err, description }));
  };
  const errOf = (e) => {
    if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'iss') return 'invalid_issuer';
    if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud') return 'invalid_audience';
    if (e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || e.code === 'ERR_JWKS_NO_MATCHING_KEY') return 'invalid_key';
    return 'invalid_request';
  };
  handler = async (req, res) => {
    if (req.method !== 'POST') return send(res, 405, 'invalid_request', 'POST only');
    if (!timingSafeEqual(digest(req.headers.authorization || ''), expected)) return send(res, 401, 'authentication_failed', 'bad credentials');
    if ((req.headers['content-type'] || '').split(';')[0].trim().toLowerCase() !== 'application/secevent+jwt') return send(res, 415, 'invalid_request', 'type');
    if (Number(req.headers['content-length']) > MAX) return send(res, 413, 'invalid_request', 'too large');
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > MAX) return send(res, 413, 'invalid_request', 'too large');
      chunks.push(c);
    }
    try {
      const { payload } = await jose.jwtVerify(Buffer.concat(chunks).toString('utf8').trim(), keys, {
        issuer, audience, typ: 'secevent+jwt', currentDate: new Date(Number(now) * 1000),
      });
      const ok = typeof payload.jti === 'string' && typeof payload.iat === 'number' && payload.events
        && typeof payload.events === 'object' && payload.sub_id && payload.sub === undefined && payload.exp === undefined;
      if (!ok) return send(res, 400, 'invalid_request', 'not an SSF SET');
      send(res, 202);
    } catch (e) {
      send(res, 400, errOf(e), e.message);
    }
  };
}
http.createServer(handler).listen(Number(port), '127.0.0.1', () => console.log(`listening ${mode} ${port}`));
process.on('SIGTERM', () => process.exit(0)); // lets --cpu-prof write its profile
