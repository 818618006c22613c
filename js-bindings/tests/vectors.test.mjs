// The shared test vectors (../shared/vectors, read in place; each file names its source and
// licence): signed ones agree with jose, the encoder reproduces the golden RS256 token,
// unsecured and decode-only ones are explained, and every spec example round-trips.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { decodeSet, verifySet, signSet, useNativeCrypto, SetError } from 'shared-signals';
import { vectors, keyPair } from './helpers.mjs';

// Reasons that mean "the signature (or the key for it) was refused"; any other failure
// comes after a successful signature check.
const SIGNATURE_REASONS = new Set([
  'bad_signature', 'unknown_kid', 'no_usable_key', 'key_mismatch', 'weak_key', 'invalid_jwk',
  'unsupported_alg', 'alg_none', 'alg_hmac', 'alg_missing', 'alg_not_allowed',
]);

async function joseVerdict(token, jwks) {
  try {
    const { payload } = await jose.compactVerify(token, jose.createLocalJWKSet(jwks));
    let claims = null;
    try {
      claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      // Not a JWT (RFC 8037 signs plain text): the signature verdict is what counts.
    }
    return { ok: true, payload: claims };
  } catch (e) {
    return { ok: false, error: e.code };
  }
}

function ourVerdict(token, jwks, now) {
  try {
    const r = verifySet(token, { jwks, now, profile: 'rfc8417' });
    return { ok: true, set: true, claims: r.claims };
  } catch (e) {
    assert.ok(e instanceof SetError, String(e));
    return { ok: !SIGNATURE_REASONS.has(e.reason), set: false, reason: e.reason };
  }
}

const signed = [...vectors('signed'), ...vectors('jws')];

describe('signed vectors: verifySet and jose agree', () => {
  for (const v of signed) {
    test(v.file, async () => {
      const expectedValid = v.expected.signature === 'valid';
      const theirs = await joseVerdict(v.token, v.jwks);
      assert.equal(theirs.ok, expectedValid, `jose: ${theirs.error}`);
      const now = (v.claims && v.claims.iat) || 1_750_000_000;
      for (const native of [true, false]) {
        useNativeCrypto(native);
        const ours = ourVerdict(v.token, v.jwks, now);
        assert.equal(ours.ok, theirs.ok, `native=${native}: ours ${ours.reason}, jose ${theirs.error}`);
        if (ours.set) assert.deepEqual(ours.claims, theirs.payload);
        if (!expectedValid) assert.equal(ours.reason, 'bad_signature');
      }
      useNativeCrypto(true);
    });
  }

  test('the JWS-only vectors are refused as SETs (not for their signature)', () => {
    for (const v of vectors('jws')) {
      const r = ourVerdict(v.token, v.jwks, 1_750_000_000);
      assert.equal(r.set, false, v.file);
      assert.ok(r.ok, `${v.file}: ${r.reason}`);
      assert.throws(() => verifySet(v.token, { jwks: v.jwks, now: 1_750_000_000 }), (e) => e.reason === 'typ_missing');
    }
  });
});

test('signSet reproduces the golden RS256 token byte for byte (i2goSignals)', () => {
  const v = vectors('signed').find((x) => x.expected.deterministic_resign_identical);
  assert.ok(v, 'golden vector present');
  const token = signSet(v.claims, {
    jwk: v.private_key_pem_pkcs1,
    alg: v.header.alg,
    kid: v.header.kid,
    profile: 'rfc8417',
  });
  assert.equal(token, v.token);
});

test('the unsecured SET decodes, is explained, and never verifies', () => {
  for (const v of vectors('unsecured')) {
    const d = decodeSet(v.token);
    assert.deepEqual(d.header, v.header);
    assert.deepEqual(d.claims, v.claims);
    assert.ok(d.issues.some((i) => i.severity === 'error' && i.code === 'alg_none'));
    const { jwks } = keyPair('ES256');
    assert.throws(() => verifySet(v.token, { jwks, profile: 'rfc8417' }), (e) => e.code === 'invalid_key' && e.reason === 'alg_none');
  }
});

describe('decode-only vectors are decoded and their problems explained', () => {
  const expectedCodes = {
    'decode-only/duo_polling_response_hs256_typ_JWT.json': ['alg_hmac', 'typ_wrong', 'legacy_event_uri'],
    'decode-only/login_gov_risc_rs256.json': ['legacy_event_subject', 'legacy_subject_type', 'sub_id_missing'],
    'decode-only/rfc8935_push_example_hs256.json': ['alg_hmac'],
  };
  for (const v of vectors('decode-only')) {
    test(v.file, () => {
      const tokens = v.token ? [[v.token, v.claims]] : Object.entries(v.poll_response.sets).map(([jti, t]) => [t, v.decoded_claims[jti]]);
      for (const [token, claims] of tokens) {
        const d = decodeSet(token);
        assert.deepEqual(d.claims, claims);
        assert.ok(d.events.length > 0);
        for (const e of d.events) assert.equal(typeof e.uri, 'string');
      }
      for (const code of expectedCodes[v.file] || []) {
        const d = decodeSet(v.token);
        assert.ok(d.issues.some((i) => i.code === code), `${code} in ${JSON.stringify(d.issues.map((i) => i.code))}`);
      }
    });
  }
});

describe('spec examples: sign, verify (ours and jose) and decode without losing a member', () => {
  const key = keyPair('ES256', { kid: 'spec' });
  const examples = vectors('spec-examples').filter((v) => v.kind === 'set_claims');
  test('there are spec examples', () => assert.ok(examples.length >= 20, String(examples.length)));
  for (const v of examples) {
    test(v.file, async () => {
      const token = signSet(v.value, { jwk: key.privateJwk, profile: 'rfc8417' });
      const { payload } = await jose.jwtVerify(token, key.publicKey, { currentDate: new Date(v.value.iat * 1000) });
      assert.deepEqual(payload, v.value);
      const r = verifySet(token, { jwks: key.jwks, now: v.value.iat, profile: 'rfc8417' });
      assert.deepEqual(r.claims, v.value);
      const d = decodeSet(token);
      assert.deepEqual(d.claims, v.value);
      assert.deepEqual(d.events.map((e) => e.uri), v.event_types);
      for (const e of d.events) {
        assert.deepEqual(e.fields, v.value.events[e.uri]);
        if (e.uri.startsWith('https://schemas.openid.net/')) assert.ok(e.name, `${e.uri} is in the catalogue`);
      }
      if (v.value.sub_id) assert.deepEqual(d.subject, v.value.sub_id);
    });
  }
});
