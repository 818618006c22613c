// A SET without kid against a key set with several keys that fit its alg (issue 12, item
// 5): each candidate is tried in key-set order, with Node's crypto and with the wasm
// provider alike, at most MAX_KEY_CANDIDATES (4) of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { verifySet, useNativeCrypto, SetError } from 'shared-signals';
import { claims, keyPair, forge, header, ISS, AUD, NOW } from './helpers.mjs';

const opts = (keys) => ({ jwks: { keys }, issuer: ISS, audience: AUD, now: NOW });

function bothProviders(fn) {
  try {
    for (const native of [true, false]) {
      useNativeCrypto(native);
      fn(native);
    }
  } finally {
    useNativeCrypto(true);
  }
}

test('no kid, two ES256 keys, signed by the second: verifies', () => {
  const a = keyPair('ES256', { kid: 'a' });
  const b = keyPair('ES256', { kid: 'b' });
  const token = forge(header(b, { kid: undefined }), claims(), b);
  bothProviders((native) => {
    const r = verifySet(token, opts([a.publicJwk, b.publicJwk]));
    assert.equal(r.claims.jti, claims().jti, `native=${native}`);
    assert.equal(r.header.kid, undefined);
  });
});

test('no kid, signed by a key outside the set: bad_signature', () => {
  const a = keyPair('ES256', { kid: 'a' });
  const b = keyPair('ES256', { kid: 'b' });
  const c = keyPair('ES256', { kid: 'c' });
  const token = forge(header(c, { kid: undefined }), claims(), c);
  bothProviders(() => {
    assert.throws(
      () => verifySet(token, opts([a.publicJwk, b.publicJwk])),
      (e) => e instanceof SetError && e.reason === 'bad_signature' && e.code === 'invalid_key',
    );
  });
});

test('no kid, keys of other types are not candidates; none fitting is no_usable_key', () => {
  const rsa = keyPair('RS256', { kid: 'r' });
  const ec = keyPair('ES256', { kid: 'e' });
  const token = forge(header(ec, { kid: undefined }), claims(), ec);
  assert.equal(verifySet(token, opts([rsa.publicJwk, ec.publicJwk])).claims.iss, ISS);
  assert.throws(() => verifySet(token, opts([rsa.publicJwk])), (e) => e.reason === 'no_usable_key');
});

test('no kid, more candidates than the limit: too_many_key_candidates', () => {
  const keys = Array.from({ length: 5 }, (_, i) => keyPair('ES256', { kid: `k${i}` }));
  const signer = keys[0];
  const token = forge(header(signer, { kid: undefined }), claims(), signer);
  // Four candidates, the signer last: verifies.
  const four = [...keys.slice(1, 4), signer].map((k) => k.publicJwk);
  assert.equal(verifySet(token, opts(four)).claims.iss, ISS);
  // Five, even with the signer first: refused before any signature check.
  assert.throws(
    () => verifySet(token, opts(keys.map((k) => k.publicJwk))),
    (e) => e instanceof SetError && e.reason === 'too_many_key_candidates' && e.code === 'invalid_key',
  );
});

test('with a kid only that key is tried', () => {
  const a = keyPair('ES256', { kid: 'a' });
  const b = keyPair('ES256', { kid: 'b' });
  const token = forge(header(b, { kid: 'a' }), claims(), b);
  assert.throws(() => verifySet(token, opts([a.publicJwk, b.publicJwk])), (e) => e.reason === 'bad_signature');
});

test('jose signs without kid during a rotation; both of us pick the right key', async () => {
  const old = await jose.generateKeyPair('ES256', { extractable: true });
  const fresh = await jose.generateKeyPair('ES256', { extractable: true });
  const keys = [
    { ...(await jose.exportJWK(old.publicKey)), kid: 'old', alg: 'ES256' },
    { ...(await jose.exportJWK(fresh.publicKey)), kid: 'new', alg: 'ES256' },
  ];
  const token = await new jose.SignJWT(claims())
    .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' })
    .sign(fresh.privateKey);
  bothProviders(() => assert.equal(verifySet(token, opts(keys)).claims.jti, claims().jti));
  // jose's documented way: its key set throws with the candidates, the caller tries each.
  const options = { currentDate: new Date(NOW * 1000) };
  let payload;
  try {
    ({ payload } = await jose.jwtVerify(token, jose.createLocalJWKSet({ keys }), options));
  } catch (e) {
    assert.equal(e.code, 'ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    for await (const key of e) {
      try {
        ({ payload } = await jose.jwtVerify(token, key, options));
        break;
      } catch (inner) {
        if (inner.code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
      }
    }
  }
  assert.equal(payload?.jti, claims().jti);
});
