// Stream creation takes only what it can use: private or symmetric keys in source.jwks,
// event types that are not URIs, and misspelt members are refused with a 400 that says why;
// a requested type the worker does not deliver is said so in the answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { startWorker, Upstream, ALICE, EV } from './harness.mjs';

let w;
let up;
before(async () => {
  w = await startWorker();
  up = await Upstream.create({ alg: 'ES256' });
});
after(async () => { await w?.stop(); });

const create = (body) => w.post('/ssf/streams', { token: ALICE, body });

describe('source keys', () => {
  test('a private JWK in source.jwks is refused, for every private member, and never echoed', async () => {
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const rsaPriv = await jose.exportJWK(privateKey);
    const ecPriv = await jose.exportJWK(up.keys[0].privateKey);
    for (const [jwk, member] of [[ecPriv, 'd'], [rsaPriv, 'd'], [{ ...up.jwks().keys[0], d: ecPriv.d }, 'd'],
      [{ ...rsaPriv, d: undefined }, 'p']]) {
      const source = { ...up.source(), jwks: { keys: [JSON.parse(JSON.stringify(jwk))] } };
      const r = await create({ source });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.description, new RegExp(`\\b${member}\\b`), r.json.description);
      assert.match(r.json.description, /private/i, r.json.description);
      assert.ok(!r.text.includes(ecPriv.d) && !r.text.includes(rsaPriv.d), 'the secret is not echoed in the error');
    }
    // Nor by PATCH.
    const cfg = await w.createStream({ source: up.source() });
    const p = await w.request('PATCH', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, source: { ...up.source(), jwks: { keys: [ecPriv] } } },
    });
    assert.equal(p.status, 400, p.text);
    const read = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.ok(!read.text.includes('"d"'), 'no private member in any read');
  });

  test('a symmetric (oct) key is refused: HMAC is never allowed', async () => {
    const r = await create({ source: { ...up.source(), jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] } } });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.description, /oct|symmetric/i);
  });
});

describe('events_requested', () => {
  test('a short name instead of a URI is refused, with the URI suggested', async () => {
    const r = await create({ events_requested: ['session-revoked'] });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.description, /events_requested/);
    assert.ok(r.json.description.includes(EV.sessionRevoked), r.json.description);
    for (const bad of ['', 'custom event', '/relative/path']) {
      assert.equal((await create({ events_requested: [bad] })).status, 400, JSON.stringify(bad));
    }
  });

  test('an absolute URI the worker does not support is accepted and said to be undelivered', async () => {
    const r = await create({ events_requested: [EV.sessionRevoked, 'urn:example:custom-event'] });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.events_delivered, [EV.sessionRevoked]);
    assert.ok(r.text.includes('urn:example:custom-event'));
    assert.ok(Array.isArray(r.json.events_undelivered), r.text);
    assert.equal(r.json.events_undelivered[0].uri, 'urn:example:custom-event');
  });
});

describe('unknown members', () => {
  test('a misspelt member is refused with a 400 naming it, on create and update', async () => {
    const r = await create({ sourc: up.source() });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.description, /sourc/);
    const cfg = await w.createStream({ source: up.source() });
    const p = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, descripton: 'x' } });
    assert.equal(p.status, 400, p.text);
    assert.match(p.json.description, /descripton/);
    const s = await create({ source: { ...up.source(), jwks_url: 'https://x.example/jwks' } });
    assert.equal(s.status, 400, s.text);
    assert.match(s.json.description, /jwks_url/);
  });
});
