// Interop of the transport pieces with the real worker and with `jose`: a stream made by
// SsfClient, a SET signed by signSet and pushed by pushSet into the worker, polled back by
// PollClient verifying it with a createRemoteJwks source, and verified by jose as well.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import { SsfClient, pushSet, PollClient, PushError, createRemoteJwks, generateKey, signSet } from 'shared-signals';
import { startPeer, EV, ALICE } from './worker-peer.mjs';

let peer;
let jwksServer;
let jwksUrl;
let jwksHits = 0;
const key = generateKey('ES256');
const ISSUER = 'https://idp.interop.example/';
const AUDIENCE = 'https://rp.interop.example/ssf';

before(async () => {
  peer = await startPeer();
  jwksServer = http.createServer((req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [key.publicJwk] }));
  });
  await new Promise((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
});
after(async () => {
  await peer?.stop();
  jwksServer?.closeAllConnections?.();
  await new Promise((r) => jwksServer.close(r));
});

test('pushSet into the worker, PollClient out of it, verified by shared-signals and by jose', { timeout: 90_000 }, async () => {
  const ssf = new SsfClient({ issuer: peer.base, token: ALICE });
  const stream = await ssf.createStream({
    events_requested: [EV.sessionRevoked],
    source: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.publicJwk] } },
  });

  const token = signSet(
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub_id: { format: 'opaque', id: 'session-42' },
      events: { [EV.sessionRevoked]: { event_timestamp: Math.floor(Date.now() / 1000), initiating_entity: 'policy' } },
    },
    { jwk: key.privateJwk },
  );
  assert.deepEqual(await pushSet(stream.push.endpoint_url, token, { authorizationHeader: stream.push.authorization_header }), { status: 202 });
  // The worker refuses a wrong credential with 401, and pushSet does not retry it.
  await assert.rejects(pushSet(stream.push.endpoint_url, token, { authorizationHeader: 'Bearer wrong', retries: 3 }), (e) => e instanceof PushError && e.status === 401 && !e.retryable);
  // And a SET for someone else with 400 invalid_audience.
  const other = signSet({ iss: ISSUER, aud: 'https://elsewhere.example/', sub_id: { format: 'opaque', id: 'x' }, events: { [EV.sessionRevoked]: {} } }, { jwk: key.privateJwk });
  await assert.rejects(pushSet(stream.push.endpoint_url, other, { authorizationHeader: stream.push.authorization_header }), (e) => e.code === 'push_rejected' && e.err === 'invalid_audience');

  const jwks = createRemoteJwks(jwksUrl);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 30_000).unref(); // fail, not hang, if nothing comes
  const got = [];
  await new PollClient({ endpoint: stream.delivery.endpoint_url, token: ALICE, verify: { jwks, issuer: ISSUER, audience: AUDIENCE } }).run(
    (set, ctx) => {
      got.push({ set, ctx });
      stop.abort();
    },
    { signal: stop.signal },
  );
  assert.equal(got.length, 1);
  const { set, ctx } = got[0];
  assert.equal(ctx.token, token, 'delivered as received, never re-signed');
  assert.deepEqual(set.subject, { format: 'opaque', id: 'session-42' });
  assert.equal(set.events[0].name, 'session-revoked');
  assert.equal(jwksHits, 1);

  const { payload, protectedHeader } = await jose.jwtVerify(ctx.token, jose.createRemoteJWKSet(new URL(jwksUrl)), {
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'secevent+jwt',
  });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.deepEqual(payload, set.claims);

  await ssf.deleteStream(stream.stream_id);
});
