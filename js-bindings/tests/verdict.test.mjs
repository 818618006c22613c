// The verdict never depends on the runtime: EdDSA is always checked by core's strict
// Ed25519 (RFC 8032 section 5.1.7, small-order R refused), never by the host's OpenSSL,
// which accepts a signature whose R is the identity point; and a JWKS object edited in
// place (a compromised key removed or replaced) is seen by the next verify.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { verifySet, useNativeCrypto, SetError } from 'shared-signals';
import { claims, forge, header, keyPair, NOW, ISS, AUD } from './helpers.mjs';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const leInt = (buf) => buf.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const leBytes = (n, len) => {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) { out[i] = Number(n & 0xffn); n >>= 8n; }
  return out;
};

/**
 * A signature valid under cofactorless verification with R = the identity point:
 * S = k * a mod L with k = SHA-512(R || A || M), so [S]B = [k]A = R + [k]A.
 */
function identityRSignature(kp, signingInput) {
  const seed = Buffer.from(kp.privateJwk.d, 'base64url');
  const h = crypto.createHash('sha512').update(seed).digest();
  const a0 = Buffer.from(h.subarray(0, 32));
  a0[0] &= 248; a0[31] &= 127; a0[31] |= 64;
  const a = leInt(a0);
  const R = Buffer.alloc(32); R[0] = 1; // the identity point (0, 1)
  const A = Buffer.from(kp.publicJwk.x, 'base64url');
  const k = leInt(crypto.createHash('sha512').update(Buffer.concat([R, A, Buffer.from(signingInput)])).digest()) % L;
  return Buffer.concat([R, leBytes((k * a) % L, 32)]);
}

describe('EdDSA verdicts do not depend on the runtime', () => {
  const ed = keyPair('EdDSA', { kid: 'k-ed' });
  const h = Buffer.from(JSON.stringify(header(ed))).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims())).toString('base64url');
  const sig = identityRSignature(ed, `${h}.${p}`);
  const token = `${h}.${p}.${sig.toString('base64url')}`;

  test('the host (OpenSSL) would accept the identity-R signature: the case is real', () => {
    assert.equal(crypto.verify(null, Buffer.from(`${h}.${p}`), ed.publicKey, sig), true);
  });

  for (const native of [true, false]) {
    test(`verifySet refuses it (native crypto ${native ? 'on' : 'off'})`, () => {
      useNativeCrypto(native);
      try {
        assert.throws(() => verifySet(token, { jwks: ed.jwks, issuer: ISS, audience: AUD, now: NOW }),
          (e) => e instanceof SetError && e.code === 'invalid_key');
      } finally {
        useNativeCrypto(true);
      }
    });
  }

  test('a genuine EdDSA SET still verifies', () => {
    const good = forge(header(ed), claims(), ed);
    assert.equal(verifySet(good, { jwks: ed.jwks, issuer: ISS, audience: AUD, now: NOW }).claims.iss, ISS);
  });
});

describe('key sets are cached by content', () => {
  test('a JWKS object edited in place takes effect on the next verify', () => {
    const a = keyPair('ES256', { kid: 'k1' });
    const b = keyPair('ES256', { kid: 'k1' }); // the replacement, same kid
    const jwks = { keys: [{ ...a.publicJwk }] };
    const opts = { jwks, issuer: ISS, audience: AUD, now: NOW };
    const signedByA = forge(header(a), claims(), a);
    assert.ok(verifySet(signedByA, opts));
    // Compromised: its members replaced in place, the array and its length unchanged.
    Object.assign(jwks.keys[0], b.publicJwk);
    assert.throws(() => verifySet(signedByA, opts), (e) => e instanceof SetError && e.code === 'invalid_key');
    assert.ok(verifySet(forge(header(b), claims(), b), opts));
    // Removed in place.
    jwks.keys.splice(0, 1, { ...keyPair('ES256', { kid: 'k2' }).publicJwk });
    assert.throws(() => verifySet(forge(header(b), claims(), b), opts), (e) => e instanceof SetError);
  });
});
