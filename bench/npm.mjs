// The npm package `shared-signals` against `jose` in one Node process: verifySet vs
// jwtVerify on the same tokens and keys (ES256, RS256, PS256), and decodeSet vs jose's
// decodeJwt + decodeProtectedHeader. Writes a JSON result to the path in argv[2].
//
// Our package is measured twice: with the runtime's native crypto (the default in Node:
// core's host provider calls crypto.verify with cached KeyObjects) and with the wasm
// (RustCrypto) provider, i.e. what a runtime without native crypto gets.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, NOW, ISS, AUD, claims, keys, compare } from './lib.mjs';

const require = createRequire(import.meta.url);
const ssf = require(path.join(ROOT, 'js-bindings/pkg'));
const jose = await import(require.resolve('jose', { paths: [ROOT] }));

const quick = process.env.SSF_BENCH_QUICK === '1';
const timing = quick ? { rounds: 3, ms: 100, warmupMs: 50 } : { rounds: 5, ms: 300, warmupMs: 200 };

const out = { node: process.version, jose: require(require.resolve('jose/package.json', { paths: [ROOT] })).version, verify: {}, decode: {} };
const now = new Date(NOW * 1000);

for (const [alg, k] of Object.entries(keys())) {
  const token = ssf.signSet(claims(), { jwk: k.privateJwk, alg, kid: k.kid });
  const jwks = { keys: [k.publicJwk] };
  const joseKey = await jose.importJWK(k.publicJwk, alg);
  const ourOpts = { jwks, issuer: ISS, audience: AUD, now: NOW };
  const joseOpts = { issuer: ISS, audience: AUD, typ: 'secevent+jwt', currentDate: now, algorithms: [alg] };

  // Both must accept the token before anything is timed.
  ssf.useNativeCrypto(true);
  ssf.verifySet(token, ourOpts);
  ssf.useNativeCrypto(false);
  ssf.verifySet(token, ourOpts);
  await jose.jwtVerify(token, joseKey, joseOpts);

  const r = await compare(
    [
      { name: 'ssf_native', fn: () => { ssf.useNativeCrypto(true); ssf.verifySet(token, ourOpts); } },
      { name: 'ssf_wasm', fn: () => { ssf.useNativeCrypto(false); ssf.verifySet(token, ourOpts); } },
      { name: 'jose', fn: () => jose.jwtVerify(token, joseKey, joseOpts), async: true },
    ],
    timing,
  );
  ssf.useNativeCrypto(true);
  out.verify[alg] = { ...r, token_bytes: token.length };
  console.log(`[npm] ${alg} verify ops/s: ours (native crypto) ${r.ssf_native.toFixed(0)}, ours (wasm crypto) ${r.ssf_wasm.toFixed(0)}, jose ${r.jose.toFixed(0)}`);
  if (alg === 'ES256') {
    const d = await compare(
      [
        { name: 'ssf', fn: () => ssf.decodeSet(token) },
        { name: 'jose', fn: () => { jose.decodeProtectedHeader(token); jose.decodeJwt(token); } },
      ],
      timing,
    );
    out.decode = { ...d, token_bytes: token.length };
    console.log(`[npm] decode ops/s: decodeSet ${d.ssf.toFixed(0)}, jose decodeJwt+header ${d.jose.toFixed(0)}`);
  }
}

if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
