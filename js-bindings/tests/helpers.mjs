// Shared helpers of the package tests: paths, keys and hand-made tokens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { once } from 'node:events';

export const REPO_ROOT = process.env.SSF_REPO_ROOT;
export const VECTORS = process.env.SSF_VECTORS;
export const TARBALL = process.env.SSF_TARBALL;

/** `require` resolving from the repository root (its devDependencies: miniflare, esbuild). */
export const rootRequire = createRequire(path.join(REPO_ROOT, 'package.json'));

export const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
export const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
export const NOW = 1_750_000_000;
export const ISS = 'https://idp.example.com/';
export const AUD = 'https://rp.example.com/ssf';

/** A valid SSF 1.0 claims set, with overrides (a value of `undefined` removes the claim). */
export function claims(overrides = {}) {
  const base = {
    iss: ISS,
    jti: '756E69717565206964656E746966696572',
    iat: NOW,
    aud: AUD,
    sub_id: { format: 'email', email: 'reynold@example.com' },
    events: {
      [`${CAEP}session-revoked`]: {
        event_timestamp: NOW - 10,
        initiating_entity: 'policy',
        reason_admin: { en: 'Landspeed Policy Violation: C076E82F' },
      },
    },
  };
  const out = { ...base, ...overrides };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

/** Reads every JSON vector of a folder of ../shared/vectors. */
export function vectors(folder) {
  if (!VECTORS || !fs.existsSync(VECTORS)) {
    throw new Error(`test vectors not found at ${VECTORS} (set SSF_VECTORS)`);
  }
  const dir = path.join(VECTORS, folder);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: `${folder}/${f}`, ...JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A key pair made with node:crypto: `{alg, kid, privateKey, publicJwk, jwks}`. */
export function keyPair(alg, { kid = `${alg.toLowerCase()}-key`, modulusLength = 2048 } = {}) {
  let pair;
  if (alg.startsWith('ES')) {
    const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
    pair = crypto.generateKeyPairSync('ec', { namedCurve });
  } else if (alg === 'EdDSA') {
    pair = crypto.generateKeyPairSync('ed25519');
  } else {
    pair = crypto.generateKeyPairSync('rsa', { modulusLength });
  }
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  const privateJwk = { ...pair.privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk, privateJwk, jwks: { keys: [publicJwk] } };
}

/** Signs `signingInput` the JWS way with a node:crypto private key. */
export function rawSign(alg, privateKey, signingInput) {
  const data = Buffer.from(signingInput);
  const hash = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[alg.slice(2)] ?? null;
  if (alg.startsWith('ES')) return crypto.sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('PS')) {
    return crypto.sign(hash, data, {
      key: privateKey,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(alg.slice(2)) / 8,
    });
  }
  if (alg === 'EdDSA') return crypto.sign(null, data, privateKey);
  return crypto.sign(hash, data, privateKey);
}

/**
 * A compact JWS over exactly the given header and payload (objects, or raw JSON text for
 * malformed documents), signed with `key` (from keyPair) under `alg` (default
 * `header.alg`), or with `sign(signingInput) -> bytes` when given.
 */
export function forge(header, payload, key, { sign, alg } = {}) {
  const input = `${b64u(text(header))}.${b64u(text(payload))}`;
  let sig;
  if (sign) sig = sign(input);
  else sig = rawSign(alg ?? header.alg, key.privateKey, input);
  return `${input}.${b64u(sig)}`;
}

/** The usual SET header for `key`. */
export function header(key, overrides = {}) {
  const h = { alg: key.alg, kid: key.kid, typ: 'secevent+jwt', ...overrides };
  for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
  return h;
}

/** Runs the installed `shared-signals` command with `args` (and `input` on stdin). */
export async function cli(args, input) {
  const bin = path.join(process.cwd(), 'node_modules', '.bin', 'shared-signals');
  const child = execFile(bin, args, { encoding: 'utf8' });
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}
