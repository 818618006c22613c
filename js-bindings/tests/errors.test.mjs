// Every error path through the JS API: adversarial tokens with their exact RFC 8935 `code`
// and stable `reason`, under both signature back ends, and TypeError for wrong input types.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { verifySet, decodeSet, signSet, generateKey, useNativeCrypto, SetError } from 'shared-signals';
import { claims, forge, header, keyPair, NOW, ISS, AUD } from './helpers.mjs';

const es = keyPair('ES256', { kid: 'k-es' });
const rs = keyPair('RS256', { kid: 'k-rs' });
const weak = keyPair('RS256', { kid: 'k-weak', modulusLength: 1024 });
const other = keyPair('ES256', { kid: 'k-es' }); // same kid, another key
const jwks = { keys: [es.publicJwk, rs.publicJwk, weak.publicJwk] };
const opts = { jwks, issuer: ISS, audience: AUD, now: NOW };

const b64u = (s) => Buffer.from(s).toString('base64url');
const good = forge(header(es), claims(), es);

function nested(depth) {
  return '['.repeat(depth) + ']'.repeat(depth);
}

// [name, token or () => token, code, reason, extra options]
const cases = [
  // ---- alg none, every casing; HMAC with the RSA public key as secret ----
  ...['none', 'None', 'NONE', 'nOnE', 'noNE'].map((alg) => [
    `alg ${alg}`,
    `${b64u(JSON.stringify({ alg, typ: 'secevent+jwt' }))}.${b64u(JSON.stringify(claims()))}.`,
    'invalid_key',
    'alg_none',
  ]),
  [
    'alg none with a signature present',
    `${b64u(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' }))}.${b64u(JSON.stringify(claims()))}.${b64u('x')}`,
    'invalid_key',
    'alg_none',
  ],
  ...['HS256', 'HS384', 'HS512', 'hs256'].map((alg) => [
    `${alg} signed with the RSA public key (key confusion)`,
    () => {
      const secret = rs.publicKey.export({ format: 'pem', type: 'spki' });
      const hash = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[alg.slice(2)];
      return forge({ alg, kid: 'k-rs', typ: 'secevent+jwt' }, claims(), null, {
        sign: (input) => crypto.createHmac(hash, secret).update(input).digest(),
      });
    },
    'invalid_key',
    'alg_hmac',
  ]),
  ['alg missing', () => forge({ kid: 'k-es', typ: 'secevent+jwt' }, claims(), null, { sign: () => Buffer.alloc(64) }), 'invalid_key', 'alg_missing'],
  ['alg not allowed by options', () => forge(header(rs), claims(), rs), 'invalid_key', 'alg_not_allowed', { algorithms: ['ES256'] }],
  ['alg unknown', () => forge({ alg: 'XY256', kid: 'k-es', typ: 'secevent+jwt' }, claims(), null, { sign: () => Buffer.alloc(64) }), 'invalid_key', 'alg_not_allowed'],
  ['crit header', () => forge(header(es, { crit: ['exp'] }), claims(), es), 'invalid_request', 'crit_unsupported'],
  // ---- typ ----
  ['typ missing', () => forge(header(es, { typ: undefined }), claims(), es), 'invalid_request', 'typ_missing'],
  ['typ JWT', () => forge(header(es, { typ: 'JWT' }), claims(), es), 'invalid_request', 'typ_wrong'],
  ['typ at+jwt', () => forge(header(es, { typ: 'at+jwt' }), claims(), es), 'invalid_request', 'typ_wrong'],
  // ---- claims forbidden or missing ----
  ['sub present', () => forge(header(es), claims({ sub: 'user' }), es), 'invalid_request', 'sub_present'],
  ['exp present', () => forge(header(es), claims({ exp: NOW + 60 }), es), 'invalid_request', 'exp_present'],
  ['events empty', () => forge(header(es), claims({ events: {} }), es), 'invalid_request', 'events_empty'],
  ['events missing', () => forge(header(es), claims({ events: undefined }), es), 'invalid_request', 'missing_claim'],
  ['iss missing', () => forge(header(es), claims({ iss: undefined }), es), 'invalid_request', 'missing_claim'],
  ['iat missing', () => forge(header(es), claims({ iat: undefined }), es), 'invalid_request', 'missing_claim'],
  ['jti missing', () => forge(header(es), claims({ jti: undefined }), es), 'invalid_request', 'missing_claim'],
  ['sub_id missing', () => forge(header(es), claims({ sub_id: undefined }), es), 'invalid_request', 'sub_id_missing'],
  ['iss not a string', () => forge(header(es), claims({ iss: 42 }), es), 'invalid_request', 'invalid_claim'],
  ['sub_id invalid', () => forge(header(es), claims({ sub_id: { format: 'email' } }), es), 'invalid_request', 'invalid_subject'],
  ['two events under caep-interop', () => forge(header(rs), claims({ events: { 'urn:a': {}, 'urn:b': {} } }), rs), 'invalid_request', 'too_many_events', { profile: 'caep-interop' }],
  ['ES256 under caep-interop', () => forge(header(es), claims(), es), 'invalid_key', 'rs256_required', { profile: 'caep-interop' }],
  // ---- strict JSON ----
  [
    'duplicate member in the payload',
    () => forge(header(es), '{"iss":"https://idp.example.com/","iss":"https://evil.example/","jti":"1","iat":1750000000,"sub_id":{"format":"opaque","id":"x"},"events":{"urn:x":{}}}', es),
    'invalid_request',
    'duplicate_member',
  ],
  [
    'duplicate member in the header',
    () => forge('{"alg":"ES256","kid":"k-es","typ":"secevent+jwt","kid":"k-rs"}', claims(), es, { alg: 'ES256' }),
    'invalid_request',
    'duplicate_member',
  ],
  [
    'duplicate member deep in an event',
    () => forge(header(es), `{"iss":"${ISS}","jti":"1","iat":${NOW},"sub_id":{"format":"opaque","id":"x","id":"y"},"events":{"urn:x":{}}}`, es),
    'invalid_request',
    'duplicate_member',
  ],
  ['trailing data after the payload JSON', () => forge(header(es), JSON.stringify(claims()) + ' {}', es), 'invalid_request', 'trailing_data'],
  ['trailing data after the header JSON', () => forge(JSON.stringify(header(es)) + 'x', claims(), es, { alg: 'ES256' }), 'invalid_request', 'trailing_data'],
  ['payload not an object', () => forge(header(es), '["iss"]', es), 'invalid_request', 'not_an_object'],
  ['payload not JSON', () => forge(header(es), '{"iss": nope}', es), 'invalid_request', 'invalid_json'],
  ['huge number (long)', () => forge(header(es), `{"iss":"${ISS}","jti":"1","iat":${'9'.repeat(60)},"sub_id":{"format":"opaque","id":"x"},"events":{"urn:x":{}}}`, es), 'invalid_request', 'number_out_of_range'],
  ['huge number (exponent) as iat', () => forge(header(es), `{"iss":"${ISS}","jti":"1","iat":1e400,"sub_id":{"format":"opaque","id":"x"},"events":{"urn:x":{}}}`, es), 'invalid_request', 'number_out_of_range'],
  ['iat beyond year 9999', () => forge(header(es), claims({ iat: 1e15 }), es), 'invalid_request', 'invalid_claim'],
  ['negative iat', () => forge(header(es), claims({ iat: -1 }), es), 'invalid_request', 'invalid_claim'],
  ['deep nesting in the payload', () => forge(header(es), `{"iss":"${ISS}","x":${nested(200)}}`, es), 'invalid_request', 'too_deep'],
  ['deep nesting in the header', () => forge(`{"alg":"ES256","x":${nested(200)}}`, claims(), es, { alg: 'ES256' }), 'invalid_request', 'too_deep'],
  // ---- framing and base64url ----
  ['four segments (trailing data)', good + '.e30', 'invalid_request', 'malformed_jws'],
  ['two segments', good.split('.').slice(0, 2).join('.'), 'invalid_request', 'malformed_jws'],
  ['empty string', '', 'invalid_request', 'malformed_jws'],
  ['padding in a segment', () => { const [h, p, s] = good.split('.'); return `${h}.${p}.${s}==`; }, 'invalid_request', 'invalid_base64'],
  ['standard base64 alphabet (+)', () => { const [h, p, s] = good.split('.'); return `${h}.${p}.+${s.slice(1)}`; }, 'invalid_request', 'invalid_base64'],
  [
    'non-canonical base64url (unused bits set in the signature)',
    () => {
      const [h, p, s] = good.split('.');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(s[s.length - 1]);
      // 64 bytes = 86 characters: the last one carries 2 data bits and 4 unused ones.
      return `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 0b0001]}`;
    },
    'invalid_request',
    'invalid_base64',
  ],
  ['non-canonical base64url in the payload', () => { const [h, , s] = good.split('.'); return `${h}.${b64u('{"a":1}').slice(0, -1)}x.${s}`; }, 'invalid_request', 'invalid_base64'],
  ['oversized token', () => forge(header(es), claims({ pad: 'x'.repeat(70 * 1024) }), es), 'invalid_request', 'too_large'],
  ['absurdly large string', () => 'a'.repeat(8 * 1024 * 1024), 'invalid_request', 'too_large'],
  // ---- keys and signatures ----
  ['unknown kid', () => forge(header(es, { kid: 'nobody' }), claims(), es), 'invalid_key', 'unknown_kid'],
  ['wrong key with the same kid', () => forge(header(other), claims(), other), 'invalid_key', 'bad_signature'],
  ['signature of another token', () => { const [h, p] = good.split('.'); const s = forge(header(es), claims({ jti: 'other' }), es).split('.')[2]; return `${h}.${p}.${s}`; }, 'invalid_key', 'bad_signature'],
  ['signature too short', () => { const [h, p, s] = good.split('.'); return `${h}.${p}.${s.slice(0, 40)}`; }, 'invalid_key', 'bad_signature'],
  ['empty signature', () => { const [h, p] = good.split('.'); return `${h}.${p}.`; }, 'invalid_key', 'bad_signature'],
  ['RSA key under 2048 bits', () => forge(header(weak), claims(), weak), 'invalid_key', 'weak_key'],
  ['ES256 token naming an RSA key', () => forge(header(es, { kid: 'k-rs' }), claims(), es), 'invalid_key', 'key_mismatch'],
  ['no kid and no key fits', () => forge(header(rs, { kid: undefined }), claims(), rs), 'invalid_key', 'no_usable_key', { jwks: { keys: [es.publicJwk] } }],
  ['no kid, several keys fit, none verifies', () => forge(header(es, { kid: undefined }), claims(), es), 'invalid_key', 'bad_signature', { jwks: { keys: [other.publicJwk, { ...other.publicJwk, kid: 'copy' }] } }],
  ['no kid, more keys fit than are tried', () => forge(header(es, { kid: undefined }), claims(), es), 'invalid_key', 'too_many_key_candidates', { jwks: { keys: [es, other, other, other, other].map((k, i) => ({ ...k.publicJwk, kid: `c${i}` })) } }],
  // ---- expectations ----
  ['future iat beyond the skew', () => forge(header(es), claims({ iat: NOW + 301 }), es), 'invalid_request', 'iat_in_future'],
  ['future iat beyond a custom skew', () => forge(header(es), claims({ iat: NOW + 11 }), es), 'invalid_request', 'iat_in_future', { clockSkew: 10 }],
  ['older than maxAge', () => forge(header(es), claims({ iat: NOW - 3601 }), es), 'invalid_request', 'too_old', { maxAge: 3600 }],
  ['wrong issuer', () => forge(header(es), claims({ iss: 'https://evil.example/' }), es), 'invalid_issuer', 'wrong_issuer'],
  ['wrong audience', () => forge(header(es), claims({ aud: 'https://other.example/' }), es), 'invalid_audience', 'wrong_audience'],
  ['audience absent while expected', () => forge(header(es), claims({ aud: undefined }), es), 'invalid_audience', 'wrong_audience'],
  ['invalid event payload', () => forge(header(es), claims({ events: { [`https://schemas.openid.net/secevent/caep/event-type/session-revoked`]: { event_timestamp: 'yesterday' } } }), es), 'invalid_request', 'invalid_event'],
];

for (const native of [true, false]) {
  describe(`verifySet errors (${native ? 'native' : 'wasm'} signature checks)`, () => {
    for (const [name, make, code, reason, extra] of cases) {
      test(`${name} -> ${code} / ${reason}`, () => {
        useNativeCrypto(native);
        const token = typeof make === 'function' ? make() : make;
        assert.throws(
          () => verifySet(token, { ...opts, ...extra }),
          (e) => {
            assert.ok(e instanceof SetError, `not a SetError: ${e && e.stack}`);
            assert.ok(e instanceof Error);
            assert.equal(e.name, 'SetError');
            assert.deepEqual({ code: e.code, reason: e.reason }, { code, reason }, e.message);
            assert.equal(typeof e.message, 'string');
            assert.ok(e.message.length > 0);
            return true;
          },
        );
      });
    }
  });
}

test('the valid token of these cases verifies (the cases fail for their own reason)', () => {
  for (const native of [true, false]) {
    useNativeCrypto(native);
    const r = verifySet(good, opts);
    assert.equal(r.claims.jti, claims().jti);
  }
  useNativeCrypto(true);
});

test('decodeSet reports verification problems as issues and throws only for non-JWS input', () => {
  const d = decodeSet(forge(header(es, { typ: undefined }), claims({ sub: 'x', exp: 1 }), es));
  const codes = d.issues.filter((i) => i.severity === 'error').map((i) => i.code);
  assert.deepEqual(codes.sort(), ['exp_present', 'sub_present', 'typ_missing']);
  const none = decodeSet(`${b64u(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' }))}.${b64u(JSON.stringify(claims()))}.`);
  assert.ok(none.issues.some((i) => i.code === 'alg_none' && i.path === '/header/alg'));
  const notJson = `${b64u('x')}.${b64u('y')}.`;
  for (const [bad, reason] of [['x.y', 'malformed_jws'], [notJson, 'invalid_json'], ['a.b.c', 'invalid_base64'], ['', 'malformed_jws']]) {
    assert.throws(() => decodeSet(bad), (e) => e instanceof SetError && e.reason === reason);
  }
  const expect = decodeSet(good, { issuer: 'https://other.example/', now: NOW - 1000 });
  assert.deepEqual(
    expect.issues.filter((i) => i.severity === 'error').map((i) => i.code).sort(),
    ['iat_in_future', 'wrong_issuer'],
  );
});

test('signSet refuses what verifySet would refuse', () => {
  const { privateJwk } = generateKey('ES256');
  const expectReason = (c, reason, o = {}) =>
    assert.throws(() => signSet(c, { jwk: privateJwk, ...o }), (e) => e instanceof SetError && e.reason === reason);
  expectReason(claims({ sub: 'x' }), 'sub_present');
  expectReason(claims({ exp: NOW }), 'exp_present');
  expectReason(claims({ events: {} }), 'events_empty');
  expectReason(claims({ sub_id: undefined }), 'sub_id_missing');
  expectReason(claims({ iss: undefined }), 'missing_claim');
  expectReason(claims(), 'invalid_signing_key', { jwk: { kty: 'oct', k: 'c2VjcmV0' } });
  expectReason(claims(), 'invalid_signing_key', { jwk: es.publicJwk });
  expectReason(claims(), 'invalid_json', { jwk: '{"kty":' });
  expectReason(claims(), 'weak_key', { jwk: weak.privateKey.export({ format: 'pem', type: 'pkcs8' }) });
  expectReason(claims(), 'invalid_signing_key', { jwk: privateJwk, alg: 'RS256' });
});

describe('wrong input types are TypeErrors, never wasm traps', () => {
  const token = good;
  const cases = [
    ['decodeSet(number)', () => decodeSet(42)],
    ['decodeSet(undefined)', () => decodeSet()],
    ['decodeSet(null)', () => decodeSet(null)],
    ['decodeSet(Buffer)', () => decodeSet(Buffer.from(token))],
    ['decodeSet(String object)', () => decodeSet(new String(token))],
    ['decodeSet(token, "opts")', () => decodeSet(token, 'opts')],
    ['verifySet(number)', () => verifySet(42, opts)],
    ['verifySet(token)', () => verifySet(token)],
    ['verifySet(token, null)', () => verifySet(token, null)],
    ['verifySet(token, {})', () => verifySet(token, {})],
    ['verifySet jwks number', () => verifySet(token, { jwks: 42 })],
    ['verifySet jwks null', () => verifySet(token, { jwks: null })],
    ['verifySet jwks array', () => verifySet(token, { jwks: [es.publicJwk] })],
    ['verifySet jwks with a cycle', () => { const j = { keys: [] }; j.self = j; return verifySet(token, { jwks: j }); }],
    ['verifySet issuer number', () => verifySet(token, { jwks, issuer: 1 })],
    ['verifySet audience array', () => verifySet(token, { jwks, audience: [AUD] })],
    ['verifySet algorithms string', () => verifySet(token, { jwks, algorithms: 'ES256' })],
    ['verifySet algorithms HS256', () => verifySet(token, { jwks, algorithms: ['HS256'] })],
    ['verifySet algorithms none', () => verifySet(token, { jwks, algorithms: ['none'] })],
    ['verifySet now string', () => verifySet(token, { jwks, now: 'now' })],
    ['verifySet now NaN', () => verifySet(token, { jwks, now: NaN })],
    ['verifySet now invalid Date', () => verifySet(token, { jwks, now: new Date('x') })],
    ['verifySet maxAge negative', () => verifySet(token, { jwks, maxAge: -1 })],
    ['verifySet clockSkew Infinity', () => verifySet(token, { jwks, clockSkew: Infinity })],
    ['verifySet profile unknown', () => verifySet(token, { jwks, profile: 'oidc' })],
    ['signSet(string)', () => signSet('claims', { jwk: es.privateJwk })],
    ['signSet(array)', () => signSet([], { jwk: es.privateJwk })],
    ['signSet(claims)', () => signSet(claims())],
    ['signSet jwk missing', () => signSet(claims(), {})],
    ['signSet jwk number', () => signSet(claims(), { jwk: 1 })],
    ['signSet jwk KeyObject', () => signSet(claims(), { jwk: es.privateKey })],
    ['signSet alg HS256', () => signSet(claims(), { jwk: es.privateJwk, alg: 'HS256' })],
    ['signSet kid number', () => signSet(claims(), { jwk: es.privateJwk, kid: 7 })],
    ['signSet claims with BigInt', () => signSet(claims({ n: 1n }), { jwk: es.privateJwk })],
    ['generateKey(number)', () => generateKey(256)],
    ['generateKey("HS256")', () => generateKey('HS256')],
    ['useNativeCrypto("yes")', () => useNativeCrypto('yes')],
  ];
  for (const [name, fn] of cases) {
    test(name, () => assert.throws(fn, TypeError));
  }
});

test('random garbage only ever gives SetError (seeded fuzz of decodeSet and verifySet)', () => {
  let seed = 0x5eed;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['.', 'eyJ', 'e30', 'AAAA', '-', '_', '=', ' ', '\u00e9', '\ud800', '{', '"', good.slice(0, 60)];
  for (let i = 0; i < 500; i++) {
    let s = '';
    const n = rnd(12);
    for (let j = 0; j < n; j++) s += pieces[rnd(pieces.length)];
    for (const fn of [() => decodeSet(s), () => verifySet(s, opts)]) {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof SetError, `${JSON.stringify(s)}: ${e && e.stack}`);
      }
    }
  }
});
