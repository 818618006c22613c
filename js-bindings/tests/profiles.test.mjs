// Profiles through the package: the names core defines (profiles()), the SETs Google and
// Okta document (tests/vectors/transmitters.json) under their profile and under ssf, and the
// strictness every profile shares (event names are URIs, txn is a string, caep-interop's
// RS256 and reason_admin, RISC identifier subjects).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { verifySet, decodeSet, signSet, profiles, SetError } from 'shared-signals';
import { REPO_ROOT, RISC, CAEP, NOW, ISS, AUD, claims, keyPair, forge, header } from './helpers.mjs';

const SETS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tests/vectors/transmitters.json'), 'utf8')).sets;
const rs = keyPair('RS256', { kid: 'rs' });
const es = keyPair('ES256', { kid: 'es' });
const jwks = { keys: [rs.publicJwk, es.publicJwk] };

function refused(fn, reason) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof SetError, String(e));
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

const signVector = (v, c = v.claims) => forge({ ...v.header, kid: rs.kid }, c, rs);
const optsFor = (v, profile = v.profile) => ({
  jwks, issuer: v.claims.iss, audience: v.claims.aud, now: v.claims.iat + 60, profile,
});

test('profiles() lists the five profiles with their rules, and every name is accepted', () => {
  const list = profiles();
  assert.deepEqual(list.map((p) => p.name), ['ssf', 'caep-interop', 'rfc8417', 'google', 'okta']);
  assert.deepEqual(list[0].rules, []);
  const google = list.find((p) => p.name === 'google');
  assert.ok(google.rules.some((r) => r.code === 'typ_optional' && r.relaxes && r.source.includes('Google')));
  for (const p of list) {
    assert.ok(p.summary.length > 0);
    for (const r of p.rules) for (const k of ['code', 'summary', 'reason', 'source']) assert.ok(r[k].length > 0, `${p.name} ${k}`);
  }
  assert.throws(() => verifySet('a.b.c', { jwks, profile: 'Google' }), /one of ssf, caep-interop, rfc8417, google, okta/);
  assert.ok(Object.isFrozen(list));
});

for (const v of SETS) {
  test(`${v.name}: verifies under ${v.profile}, refused under ssf (${v.ssf_refusal})`, () => {
    const token = signVector(v);
    const set = verifySet(token, optsFor(v));
    assert.deepEqual(set.claims, v.claims);
    refused(() => verifySet(token, optsFor(v, 'ssf')), v.ssf_refusal);
    const d = decodeSet(token, { profile: v.profile, issuer: v.claims.iss, audience: v.claims.aud, now: v.claims.iat + 60 });
    assert.ok(!d.issues.some((i) => i.severity === 'error'), JSON.stringify(d.issues));
    // The subject as sent (Google's subject_type form stays as it is).
    const sent = Object.values(v.claims.events)[0].subject;
    if (v.subject === 'complex') assert.deepEqual(d.subject, { format: 'complex', ...sent });
    else if (v.subject) assert.deepEqual(d.subject, sent);
    else assert.equal(d.subject, null);
  });
}

test('okta session-revoked: the nested subject and the milliseconds are explained', () => {
  const v = SETS.find((x) => x.name === 'okta-session-revoked');
  const token = signVector(v);
  const d = decodeSet(token, { profile: 'okta' });
  const codes = d.issues.map((i) => i.code);
  assert.ok(codes.includes('legacy_nested_subject'), codes.join());
  const ms = d.issues.find((i) => i.code === 'event_timestamp_milliseconds');
  assert.match(ms.message, /read as 1764547199 seconds/);
  // The nested form is normalised to the complex subject it stands for.
  assert.deepEqual(d.subject, { format: 'complex', user: { format: 'email', email: 'john.doe@example.com' } });
  // Elsewhere it is reported without being read as seconds.
  const plain = decodeSet(token, { profile: 'rfc8417' });
  assert.match(plain.issues.find((i) => i.code === 'event_timestamp_milliseconds').message, /looks like milliseconds/);
});

test('relaxed profiles still refuse a forged signature, a wrong issuer or audience, and an event without a subject', () => {
  for (const v of SETS) {
    const other = keyPair('RS256', { kid: rs.kid });
    refused(() => verifySet(forge({ ...v.header, kid: rs.kid }, v.claims, other), optsFor(v)), 'bad_signature');
    refused(() => verifySet(signVector(v), { ...optsFor(v), issuer: 'https://evil.example/' }), 'wrong_issuer');
    refused(() => verifySet(signVector(v), { ...optsFor(v), audience: 'https://x.example/' }), 'wrong_audience');
    const none = `${Buffer.from(JSON.stringify({ ...v.header, alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(v.claims)).toString('base64url')}.`;
    refused(() => verifySet(none, optsFor(v)), 'alg_none');
    const { events, ...rest } = v.claims;
    refused(() => verifySet(signVector(v, { ...rest, sub: 'x' }), optsFor(v)), 'sub_present');
    const [uri] = Object.keys(events);
    if (!uri.endsWith('/verification')) {
      const { subject, ...payload } = events[uri];
      refused(() => verifySet(signVector(v, { ...v.claims, events: { [uri]: payload } }), optsFor(v)), 'subject_missing');
    }
  }
});

test('event names must be URIs: verifySet, decodeSet and signSet refuse them, any absolute URI passes', () => {
  for (const bad of ['custom event', '', '/relative/path']) {
    const c = claims({ events: { [bad]: {} } });
    refused(() => verifySet(forge(header(rs), c, rs), { jwks, now: NOW }), 'invalid_event');
    refused(() => signSet(c, { jwk: rs.privateJwk }), 'invalid_event');
    assert.ok(decodeSet(forge(header(rs), c, rs)).issues.some((i) => i.code === 'invalid_event'));
  }
  for (const good of ['urn:example:e', 'tag:example.com,2026:e', 'https://example.com/e']) {
    verifySet(signSet(claims({ events: { [good]: {} } }), { jwk: rs.privateJwk }), { jwks, now: NOW });
  }
});

test('a non-string txn is refused by verifySet and signSet', () => {
  const c = claims({ txn: 8675309 });
  refused(() => verifySet(forge(header(rs), c, rs), { jwks, now: NOW }), 'invalid_claim');
  refused(() => signSet(c, { jwk: rs.privateJwk }), 'invalid_claim');
  verifySet(signSet(claims({ txn: '8675309' }), { jwk: rs.privateJwk }), { jwks, now: NOW });
});

test('caep-interop: RS256 and reason_admin, each refused with its own reason', () => {
  const o = { jwks, issuer: ISS, audience: AUD, now: NOW, profile: 'caep-interop' };
  verifySet(forge(header(rs), claims(), rs), o);
  refused(() => verifySet(forge(header(es), claims(), es), o), 'rs256_required');
  const bare = claims({ events: { [`${CAEP}session-revoked`]: { event_timestamp: NOW - 10 } } });
  refused(() => verifySet(forge(header(rs), bare, rs), o), 'reason_admin_required');
  verifySet(forge(header(rs), bare, rs), { ...o, profile: 'ssf' });
  refused(() => signSet(bare, { jwk: rs.privateJwk, profile: 'caep-interop' }), 'reason_admin_required');
  refused(() => signSet(claims(), { jwk: es.privateJwk, profile: 'caep-interop' }), 'rs256_required');
  verifySet(signSet(claims(), { jwk: rs.privateJwk, profile: 'caep-interop' }), o);
});

test('RISC identifier-changed about an opaque subject: refused under ssf and caep-interop, a warning under rfc8417', () => {
  const c = claims({ sub_id: { format: 'opaque', id: 'u1' }, events: { [`${RISC}identifier-changed`]: {} } });
  const token = forge(header(rs), c, rs);
  for (const profile of ['ssf', 'caep-interop']) refused(() => verifySet(token, { jwks, now: NOW, profile }), 'identifier_subject_format');
  verifySet(token, { jwks, now: NOW, profile: 'rfc8417' });
  const d = decodeSet(token, { now: NOW, profile: 'rfc8417' });
  assert.ok(d.issues.some((i) => i.code === 'identifier_subject_format' && i.severity === 'warning'));
});
