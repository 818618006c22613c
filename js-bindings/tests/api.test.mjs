// The shapes of the pinned API (DESIGN.md section 5) and the conveniences around it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSet, verifySet, signSet, generateKey, eventCatalog, supportedAlgorithms, SetError,
} from 'shared-signals';
import { claims, forge, header, keyPair, CAEP, RISC, NOW, ISS, AUD } from './helpers.mjs';

const key = keyPair('ES256', { kid: 'api' });
const token = forge(header(key), claims(), key);

test('decodeSet explains header, claims, subject, events and issues', () => {
  const d = decodeSet(token);
  assert.deepEqual(Object.keys(d), ['header', 'claims', 'subject', 'events', 'issues']);
  assert.deepEqual(d.header, header(key));
  assert.deepEqual(d.claims, claims());
  assert.deepEqual(d.subject, { format: 'email', email: 'reynold@example.com' });
  assert.equal(d.events.length, 1);
  const [e] = d.events;
  assert.deepEqual(Object.keys(e), ['uri', 'profile', 'name', 'title', 'description', 'fields', 'issues']);
  assert.equal(e.uri, `${CAEP}session-revoked`);
  assert.equal(e.profile, 'caep');
  assert.equal(e.name, 'session-revoked');
  assert.equal(typeof e.title, 'string');
  assert.deepEqual(e.fields, claims().events[`${CAEP}session-revoked`]);
  assert.ok(Array.isArray(d.issues));
  for (const i of d.issues) {
    assert.ok(['error', 'warning', 'info'].includes(i.severity));
    assert.equal(typeof i.code, 'string');
    assert.equal(typeof i.message, 'string');
  }
  assert.ok(!d.issues.some((i) => i.severity === 'error'), JSON.stringify(d.issues));
});

test('decodeSet keeps unknown events and members, and attaches issues to their event', () => {
  const c = claims({
    events: {
      'urn:example:custom': { anything: [1, { deep: true }] },
      [`${RISC}account-disabled`]: { reason: 'hijacking', extra: 'kept' },
    },
    custom_claim: { a: 1 },
  });
  const d = decodeSet(forge(header(key), c, key));
  assert.deepEqual(d.claims, c);
  const unknown = d.events.find((e) => e.uri === 'urn:example:custom');
  assert.deepEqual(
    { profile: unknown.profile, name: unknown.name, title: unknown.title, fields: unknown.fields },
    { profile: null, name: null, title: null, fields: { anything: [1, { deep: true }] } },
  );
  const risc = d.events.find((e) => e.name === 'account-disabled');
  assert.equal(risc.profile, 'risc');
  assert.equal(risc.fields.extra, 'kept');
  assert.ok(d.issues.some((i) => i.code === 'multiple_events'));
  for (const e of d.events) {
    for (const i of e.issues) assert.ok(i.path.startsWith('/claims/events/'), i.path);
  }
});

test('verifySet returns header, claims, subject and the same rich events', () => {
  const r = verifySet(token, { jwks: key.jwks, issuer: ISS, audience: AUD, now: NOW });
  assert.deepEqual(Object.keys(r), ['header', 'claims', 'subject', 'events']);
  const d = decodeSet(token);
  assert.deepEqual(r.header, d.header);
  assert.deepEqual(r.claims, d.claims);
  assert.deepEqual(r.subject, d.subject);
  assert.deepEqual(r.events, d.events);
});

test('verifySet accepts a JWKS object, JSON text, a single JWK, Dates, and caches parsed keys', () => {
  const text = JSON.stringify(key.jwks);
  for (const jwks of [key.jwks, text, key.publicJwk, JSON.stringify(key.publicJwk)]) {
    assert.equal(verifySet(token, { jwks, now: NOW }).claims.iss, ISS);
    assert.equal(verifySet(token, { jwks, now: new Date(NOW * 1000) }).claims.iss, ISS);
  }
  // A key set changed in place (rotation) is read again.
  const rotating = { keys: [] };
  assert.throws(() => verifySet(token, { jwks: rotating, now: NOW }), (e) => e.reason === 'unknown_kid');
  rotating.keys.push(key.publicJwk);
  assert.equal(verifySet(token, { jwks: rotating, now: NOW }).claims.iss, ISS);
  rotating.keys = [keyPair('ES256', { kid: 'api' }).publicJwk];
  assert.throws(() => verifySet(token, { jwks: rotating, now: NOW }), (e) => e.reason === 'bad_signature');
});

test('verifySet without now uses the clock', () => {
  const fresh = forge(header(key), claims({ iat: Math.floor(Date.now() / 1000) }), key);
  assert.equal(verifySet(fresh, { jwks: key.jwks }).claims.jti, claims().jti);
  const future = forge(header(key), claims({ iat: Math.floor(Date.now() / 1000) + 3600 }), key);
  assert.throws(() => verifySet(future, { jwks: key.jwks }), (e) => e.reason === 'iat_in_future');
});

test('a bad JWKS document is a SetError with a precise reason', () => {
  assert.throws(() => verifySet(token, { jwks: '{"keys": 1}' }), (e) => e instanceof SetError && e.reason === 'invalid_jwk');
  assert.throws(() => verifySet(token, { jwks: 'not json' }), (e) => e instanceof SetError && e.reason === 'invalid_json');
  // A private key published as a public one is refused: anybody could sign with it.
  assert.throws(() => verifySet(token, { jwks: { keys: [key.privateJwk] } }), (e) => e instanceof SetError && e.code === 'invalid_key');
});

test('SetError is a proper Error', () => {
  const e = new SetError('invalid_key', 'bad_signature', 'nope');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'SetError');
  assert.equal(e.code, 'invalid_key');
  assert.equal(e.reason, 'bad_signature');
  assert.equal(e.message, 'nope');
  assert.match(e.stack, /SetError: nope/);
});

test('generateKey gives a usable pair for every supported algorithm', () => {
  assert.deepEqual(supportedAlgorithms(), ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA']);
  for (const alg of supportedAlgorithms()) {
    const k = generateKey(alg);
    assert.equal(k.privateJwk.alg, alg);
    assert.equal(k.publicJwk.alg, alg);
    assert.equal(k.publicJwk.use, 'sig');
    assert.equal(k.publicJwk.d, undefined);
    assert.ok(k.privateJwk.d);
    const t = signSet(claims(), { jwk: k.privateJwk });
    assert.equal(decodeSet(t).header.alg, alg);
    assert.equal(decodeSet(t).header.kid, k.publicJwk.kid);
    assert.equal(verifySet(t, { jwks: { keys: [k.publicJwk] }, now: NOW }).claims.jti, claims().jti);
  }
  assert.equal(generateKey().privateJwk.alg, 'ES256');
});

test('signSet takes kid and alg options', () => {
  const k = generateKey('RS256');
  const t = signSet(claims(), { jwk: JSON.stringify(k.privateJwk), kid: 'override', alg: 'PS256' });
  assert.deepEqual(decodeSet(t).header, { alg: 'PS256', kid: 'override', typ: 'secevent+jwt' });
});

test('eventCatalog lists every SSF, CAEP and RISC event with its fields', () => {
  const cat = eventCatalog();
  assert.ok(Object.isFrozen(cat));
  const profiles = new Set(cat.map((e) => e.profile));
  assert.deepEqual([...profiles].sort(), ['caep', 'risc', 'ssf']);
  for (const name of ['session-revoked', 'credential-change', 'assurance-level-change', 'device-compliance-change', 'token-claims-change', 'session-established', 'session-presented', 'risk-level-change']) {
    assert.ok(cat.some((e) => e.profile === 'caep' && e.name === name), name);
  }
  for (const name of ['verification', 'stream-updated']) assert.ok(cat.some((e) => e.profile === 'ssf' && e.name === name), name);
  assert.ok(cat.filter((e) => e.profile === 'risc').length >= 10);
  for (const e of cat) {
    assert.match(e.uri, /^https:\/\/schemas\.openid\.net\/secevent\//);
    assert.equal(typeof e.title, 'string');
    assert.equal(typeof e.description, 'string');
    assert.equal(typeof e.deprecated, 'boolean');
    for (const f of e.fields) {
      assert.equal(typeof f.name, 'string');
      assert.equal(typeof f.required, 'boolean');
      assert.ok(['string', 'number', 'boolean', 'lang-map', 'string-array', 'object', 'enum', 'open-enum'].includes(f.type), f.type);
      if (f.type === 'enum') assert.ok(f.values.length > 0);
    }
  }
  const cc = cat.find((e) => e.name === 'credential-change');
  assert.ok(cc.fields.some((f) => f.name === 'credential_type' && f.required));
});
