// Differential tests against jose (npm): SETs signed by jose verify with verifySet, SETs
// from signSet verify with jose.jwtVerify, with native and wasm signature checks alike.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { verifySet, signSet, generateKey, useNativeCrypto, SetError } from 'shared-signals';
import { claims, ISS, AUD, NOW } from './helpers.mjs';

const ALGS = ['ES256', 'PS256', 'RS256', 'ES384', 'ES512', 'RS384', 'RS512', 'PS384', 'PS512', 'EdDSA'];

async function joseKey(alg) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid: `jose-${alg}`, alg };
  return { publicKey, privateKey, publicJwk };
}

for (const alg of ALGS) {
  describe(`${alg}`, () => {
    test(`a SET signed by jose verifies with verifySet`, async () => {
      const k = await joseKey(alg);
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader({ alg, kid: k.publicJwk.kid, typ: 'secevent+jwt' })
        .sign(k.privateKey);
      for (const native of [true, false]) {
        useNativeCrypto(native);
        const r = verifySet(token, { jwks: { keys: [k.publicJwk] }, issuer: ISS, audience: AUD, now: NOW });
        assert.deepEqual(r.claims, claims());
        assert.deepEqual(r.header, { alg, kid: k.publicJwk.kid, typ: 'secevent+jwt' });
        assert.deepEqual(r.subject, claims().sub_id);
        assert.equal(r.events[0].name, 'session-revoked');
        // One flipped signature bit fails on both sides.
        const [h, p, s] = token.split('.');
        const sig = Buffer.from(s, 'base64url');
        sig[sig.length >> 1] ^= 1;
        const tampered = `${h}.${p}.${sig.toString('base64url')}`;
        assert.throws(
          () => verifySet(tampered, { jwks: { keys: [k.publicJwk] }, now: NOW }),
          (e) => e instanceof SetError && e.reason === 'bad_signature' && e.code === 'invalid_key',
        );
        await assert.rejects(jose.compactVerify(tampered, k.publicKey));
      }
      useNativeCrypto(true);
    });

    test(`a SET from signSet verifies with jose.jwtVerify`, async () => {
      const k = generateKey(alg);
      assert.equal(k.privateJwk.alg, alg);
      assert.equal(k.publicJwk.kid, k.privateJwk.kid);
      assert.equal(k.publicJwk.d, undefined);
      assert.equal(k.publicJwk.kid, await jose.calculateJwkThumbprint(k.publicJwk));
      const token = signSet(claims(), { jwk: k.privateJwk });
      const jwks = jose.createLocalJWKSet({ keys: [k.publicJwk] });
      const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
        typ: 'secevent+jwt',
        issuer: ISS,
        audience: AUD,
        algorithms: [alg],
        currentDate: new Date(NOW * 1000),
      });
      assert.deepEqual(payload, claims());
      assert.deepEqual(protectedHeader, { alg, kid: k.privateJwk.kid, typ: 'secevent+jwt' });
      assert.equal(verifySet(token, { jwks: { keys: [k.publicJwk] }, now: NOW }).claims.jti, claims().jti);
    });

    test(`a key made by jose signs with signSet`, async () => {
      const { privateKey, publicJwk } = await joseKey(alg);
      const privateJwk = { ...(await jose.exportJWK(privateKey)), kid: publicJwk.kid, alg };
      const token = signSet(claims(), { jwk: privateJwk });
      const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet({ keys: [publicJwk] }), {
        currentDate: new Date(NOW * 1000),
      });
      assert.deepEqual(payload, claims());
    });
  });
}

test('RSA keys sign with PS256 when asked, and a PEM key works too', async () => {
  const { privateKey } = await jose.generateKeyPair('PS256', { extractable: true });
  const pem = await jose.exportPKCS8(privateKey);
  // A KeyObject, which jose accepts for either RSA algorithm (a CryptoKey is tied to one).
  const publicKey = crypto.createPublicKey(pem);
  for (const alg of ['RS256', 'PS256']) {
    const token = signSet(claims(), { jwk: pem, alg, kid: 'pem-key' });
    const { protectedHeader } = await jose.jwtVerify(token, publicKey, { currentDate: new Date(NOW * 1000) });
    assert.deepEqual(protectedHeader, { alg, kid: 'pem-key', typ: 'secevent+jwt' });
  }
  // Without alg an RSA PEM signs RS256, an EC one ES256.
  assert.equal(jose.decodeProtectedHeader(signSet(claims(), { jwk: pem })).alg, 'RS256');
  const ec = await jose.generateKeyPair('ES256', { extractable: true });
  assert.equal(jose.decodeProtectedHeader(signSet(claims(), { jwk: await jose.exportPKCS8(ec.privateKey) })).alg, 'ES256');
});

test('signSet fills iat and jti when absent, and keeps them when given', async () => {
  const k = generateKey('ES256');
  const before = Math.floor(Date.now() / 1000);
  const token = signSet(claims({ iat: undefined, jti: undefined }), { jwk: k.privateJwk });
  const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet({ keys: [k.publicJwk] }));
  assert.ok(payload.iat >= before && payload.iat <= before + 5);
  assert.match(payload.jti, /^[0-9a-f]{32}$/);
  const again = jose.decodeJwt(signSet(claims(), { jwk: k.privateJwk }));
  assert.equal(again.iat, NOW);
  assert.equal(again.jti, claims().jti);
});

test('jose and verifySet agree on tokens that only jose would call JWTs', async () => {
  // jose happily verifies a JWT with typ JWT, sub and exp; a SET verifier must not.
  const k = await joseKey('ES256');
  const jwt = await new jose.SignJWT({ ...claims(), sub: 'user', exp: NOW + 600 })
    .setProtectedHeader({ alg: 'ES256', kid: k.publicJwk.kid, typ: 'JWT' })
    .sign(k.privateKey);
  await jose.jwtVerify(jwt, k.publicKey, { currentDate: new Date(NOW * 1000) });
  assert.throws(() => verifySet(jwt, { jwks: { keys: [k.publicJwk] }, now: NOW }), (e) => e.reason === 'typ_wrong');
});
