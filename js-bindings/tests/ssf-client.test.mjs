// SsfClient through a whole stream lifecycle against the real worker under workerd, and
// its errors (SsfError with status, code and the worker's description).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SsfClient, SsfError } from 'shared-signals';
import { startPeer, EV, ALICE, BOB, jtiOf } from './worker-peer.mjs';

let peer;
before(async () => {
  peer = await startPeer();
});
after(async () => {
  await peer?.stop();
});

const isSsfError = (status, code) => (e) => {
  assert.ok(e instanceof SsfError, String(e));
  assert.equal(e.status, status);
  assert.equal(e.code, code);
  return true;
};

test('a whole stream lifecycle: create, read, list, update, replace, status, subjects, verification, delete', { timeout: 90_000 }, async () => {
  const ssf = new SsfClient({ issuer: peer.base, token: ALICE });
  const meta = await ssf.metadata();
  assert.equal(meta.issuer, peer.base);
  assert.equal(meta.spec_version, '1_0');
  assert.ok(meta.delivery_methods_supported.includes('urn:ietf:rfc:8936'));
  assert.equal(await ssf.metadata(), meta, 'fetched once');

  const up = peer.upstream;
  const created = await ssf.createStream({ events_requested: [EV.sessionRevoked, EV.verification], description: 'lifecycle', source: up.source() });
  const id = created.stream_id;
  assert.equal(typeof id, 'string');
  assert.equal(created.delivery.method, 'urn:ietf:rfc:8936');
  assert.ok(created.push.endpoint_url && created.push.authorization_header);
  assert.ok(created.events_delivered.includes(EV.sessionRevoked));

  assert.equal((await ssf.getStream(id)).description, 'lifecycle');
  assert.ok((await ssf.listStreams()).some((s) => s.stream_id === id));

  assert.equal((await ssf.updateStream(id, { description: 'patched' })).description, 'patched');
  const replaced = await ssf.replaceStream(id, { events_requested: [EV.sessionRevoked, EV.verification], description: 'replaced', source: up.source() });
  assert.equal(replaced.description, 'replaced');

  assert.equal((await ssf.getStatus(id)).status, 'enabled');
  const paused = await ssf.setStatus(id, 'paused', { reason: 'maintenance' });
  assert.equal(paused.status, 'paused');
  assert.equal((await ssf.getStatus(id)).status, 'paused');
  assert.equal((await ssf.setStatus(id, 'enabled')).status, 'enabled');

  const subject = { format: 'email', email: 'user@example.com' };
  assert.equal(await ssf.addSubject(id, subject, { verified: true }), undefined);
  assert.equal(await ssf.removeSubject(id, subject), undefined);

  assert.equal(await ssf.requestVerification(id, { state: 'state-123' }), undefined);
  const polled = await peer.call('POST', created.delivery.endpoint_url, { body: { returnImmediately: true } });
  const verification = Object.values(polled.json.sets)
    .map((t) => peer.worker && JSON.parse(Buffer.from(t.split('.')[1], 'base64url')))
    .find((c) => c.events[EV.verification]);
  assert.equal(verification.events[EV.verification].state, 'state-123');
  assert.ok(Object.values(polled.json.sets).every((t) => typeof jtiOf(t) === 'string'));

  assert.equal(await ssf.deleteStream(id), undefined);
  await assert.rejects(ssf.getStream(id), isSsfError(404, 'not_found'));
});

test('errors: wrong token, another receiver\'s stream, bad input, issuer mismatch, unreachable', { timeout: 90_000 }, async () => {
  const stream = await peer.createStream();
  await assert.rejects(new SsfClient({ issuer: peer.base, token: 'nope' }).getStream(stream.stream_id), isSsfError(401, 'unauthorized'));
  await assert.rejects(new SsfClient({ issuer: peer.base, token: BOB }).getStream(stream.stream_id), isSsfError(404, 'not_found'));
  const alice = new SsfClient({ configurationUrl: `${peer.base}/.well-known/ssf-configuration`, token: ALICE });
  // Core accepts the shape, the worker refuses the URL (plain http to a public host): 400.
  const source = { ...peer.upstream.source(), jwks: undefined, jwks_uri: 'http://idp.example.com/jwks.json' };
  await assert.rejects(alice.createStream({ source }), (e) => {
    assert.ok(e instanceof SsfError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'invalid_request');
    assert.match(e.description, /https/);
    return true;
  });
  // A shape core refuses is refused before anything is sent.
  await assert.rejects(alice.createStream({ source: { issuer: 42 } }), isSsfError(null, 'invalid_request'));
  // Requests core refuses never leave the package.
  let sent = 0;
  const counting = new SsfClient({ issuer: peer.base, token: ALICE, fetch: (u, i) => (sent++, fetch(u, i)) });
  await counting.metadata();
  await assert.rejects(counting.setStatus(stream.stream_id, 'sleeping'), isSsfError(null, 'invalid_request'));
  assert.equal(sent, 1);
  await assert.rejects(new SsfClient({ issuer: `${peer.base}/other`, token: ALICE }).metadata(), (e) => e instanceof SsfError && (e.code === 'issuer_mismatch' || e.status === 404));
  await assert.rejects(new SsfClient({ issuer: 'http://127.0.0.1:9', token: ALICE }).metadata(), isSsfError(null, 'network_error'));
  assert.throws(() => new SsfClient({ token: ALICE }), TypeError);
  assert.throws(() => new SsfClient({ issuer: peer.base }), TypeError);
});

test('getToken is asked for each call', { timeout: 90_000 }, async () => {
  let asked = 0;
  const ssf = new SsfClient({ issuer: peer.base, getToken: async () => { asked++; return ALICE; } });
  await ssf.metadata();
  await ssf.listStreams();
  assert.equal(asked, 2);
});

test('createStream applies core\'s client rules: a stream whose iss is not the issuer is refused (SSF 8.1.1.1)', { timeout: 90_000 }, async () => {
  const impostor = async (u, init) => {
    const r = await fetch(u, init);
    if (init?.method !== 'POST' || !String(u).endsWith('/ssf/streams')) return r;
    const cfg = await r.json();
    return new Response(JSON.stringify({ ...cfg, iss: 'https://impostor.example.com' }), { status: r.status, headers: { 'content-type': 'application/json' } });
  };
  const ssf = new SsfClient({ issuer: peer.base, token: ALICE, fetch: impostor });
  await assert.rejects(ssf.createStream({ source: peer.upstream.source() }), (e) => {
    assert.ok(e instanceof SsfError, String(e));
    assert.equal(e.code, 'issuer_mismatch');
    assert.equal(e.status, 201);
    assert.match(e.message, /impostor/);
    return true;
  });
  // The same answer with the right iss is read as a stream configuration.
  const plain = await new SsfClient({ issuer: peer.base, token: ALICE }).createStream({ source: peer.upstream.source() });
  assert.equal(plain.iss, peer.base);
});
