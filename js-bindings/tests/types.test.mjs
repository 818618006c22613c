// The TypeScript declarations type-check sample programs (ES module and CommonJS) that use
// every function and option, and reject misuse (so the types are real, not `any`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(process.cwd(), 'types-check');

const ESM_SAMPLE = `
import {
  decodeSet, verifySet, signSet, generateKey, eventCatalog, supportedAlgorithms,
  useNativeCrypto, init, initSync, SetError,
} from 'shared-signals';
import type {
  Algorithm, DecodedSet, VerifiedSet, VerifyOptions, SignOptions, Expectations, GeneratedKey,
  EventType, EventField, SetEvent, Issue, JwkSet, Jwk, Profile, ErrorCode, ErrorReason,
  SubjectIdentifier, JsonObject,
} from 'shared-signals';

await init();
initSync(new Uint8Array(0));

const key: GeneratedKey = generateKey('PS256');
const jwk: Jwk = key.privateJwk;
const jwks: JwkSet = { keys: [key.publicJwk] };
const alg: Algorithm = 'ES256';
const profile: Profile = 'caep-interop';

const signOptions: SignOptions = { jwk, alg: 'PS256', kid: 'k1', profile: 'ssf' };
const token: string = signSet({ iss: 'https://idp.example.com/', events: {} }, signOptions);
signSet({ iss: 'x' }, { jwk: '-----BEGIN PRIVATE KEY-----' });

const expectations: Expectations = {
  issuer: 'https://idp.example.com/',
  audience: 'https://rp.example.com/',
  algorithms: [alg, 'RS256', 'EdDSA'],
  now: new Date(),
  maxAge: 3600,
  clockSkew: 60,
  profile,
};
const options: VerifyOptions = { jwks, ...expectations };
const verified: VerifiedSet = verifySet(token, options);
verifySet(token, { jwks: JSON.stringify(jwks), now: 1_750_000_000 });
verifySet(token, { jwks: key.publicJwk });

const iss: unknown = verified.claims['iss'];
const subject: SubjectIdentifier | null = verified.subject;
const events: SetEvent[] = verified.events;
for (const e of events) {
  const uri: string = e.uri;
  const name: string | null = e.name;
  const fields: JsonObject = e.fields;
  const issues: Issue[] = e.issues;
  void [uri, name, fields, issues];
}

const decoded: DecodedSet = decodeSet(token);
decodeSet(token, { issuer: 'https://idp.example.com/' });
for (const issue of decoded.issues) {
  const severity: 'error' | 'warning' | 'info' = issue.severity;
  const where: string | undefined = issue.path;
  void [severity, where];
}

const catalog: readonly EventType[] = eventCatalog();
const field: EventField | undefined = catalog[0]?.fields[0];
const values: string[] | undefined = field?.values;
const algs: Algorithm[] = supportedAlgorithms();
const on: boolean = useNativeCrypto(false);

try {
  verifySet(token, options);
} catch (e) {
  if (e instanceof SetError) {
    const code: ErrorCode = e.code;
    const reason: ErrorReason = e.reason;
    const message: string = e.message;
    void [code, reason, message];
  }
}

// The registered claims of a verified SET are typed.
const jti: string = verified.claims.jti;
const iat: number = verified.claims.iat;
const issuer: string = verified.claims.iss;
const aud: string | string[] | undefined = verified.claims.aud;
const txn: string | undefined = verified.claims.txn;
const toe: number | undefined = verified.claims.toe;
const subId: SubjectIdentifier | undefined = verified.claims.sub_id;
const payloads: JsonObject[] = Object.values(verified.claims.events);
void [jti, iat, issuer, aud, txn, toe, subId, payloads];
// @ts-expect-error decoded claims are unchecked: jti may be any JSON value
const uncheckedJti: string = decodeSet(token).claims.jti;
// @ts-expect-error iat is a number
const iatText: string = verified.claims.iat;
void [uncheckedJti, iatText];

// Misuse the types must catch.
// @ts-expect-error options are required
verifySet(token);
// @ts-expect-error jwks is required
verifySet(token, { issuer: 'x' });
// @ts-expect-error HMAC is not an algorithm here
verifySet(token, { jwks, algorithms: ['HS256'] });
// @ts-expect-error the token is a string
decodeSet(42);
// @ts-expect-error maxAge is seconds
verifySet(token, { jwks, maxAge: '1h' });
// @ts-expect-error unknown profile
verifySet(token, { jwks, profile: 'oidc' });
// @ts-expect-error jwk is required
signSet({}, {});
// @ts-expect-error not an algorithm
generateKey('HS256');
// @ts-expect-error the result has no such member
verified.payload;
// @ts-expect-error severity is a closed set
const bad: Issue = { severity: 'fatal', code: 'x', message: 'y' };

void [iss, subject, values, algs, on, bad];
export {};
`;

const CJS_SAMPLE = `
import ssf = require('shared-signals');
const key = ssf.generateKey('ES256');
const token: string = ssf.signSet({ iss: 'https://idp.example.com/' }, { jwk: key.privateJwk });
const result: ssf.VerifiedSet = ssf.verifySet(token, { jwks: { keys: [key.publicJwk] } });
const e: ssf.SetError = new ssf.SetError('invalid_key', 'bad_signature', 'no');
void [result, e];
`;

const tsc = path.join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');

/** Type-checks both samples in a fresh `folder` with `types` (the global type packages). */
function checkSamples(folder, types) {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'sample.mts'), ESM_SAMPLE);
  fs.writeFileSync(path.join(folder, 'sample.cts'), CJS_SAMPLE);
  fs.writeFileSync(
    path.join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        noUnusedLocals: false,
        lib: ['es2022'],
        types,
      },
      files: ['sample.mts', 'sample.cts'],
    }),
  );
  try {
    execFileSync(process.execPath, [tsc, '-p', folder], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc failed (types: ${JSON.stringify(types)}):\n${e.stdout}${e.stderr}`);
  }
}

test('tsc accepts the ES module and CommonJS samples, and rejects misuse', () => {
  checkSamples(dir, ['node']);
});

test('tsc rejects a sample that ignores the types (the declarations are not any)', () => {
  const bad = path.join(dir, 'bad.mts');
  fs.writeFileSync(bad, `import { verifySet } from 'shared-signals';\nconst n: number = verifySet('t', { jwks: '{}' });\nvoid n;\n`);
  let out = '';
  assert.throws(() => {
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--lib', 'es2022', '--types', 'node', bad], { encoding: 'utf8' });
    } catch (e) {
      out = `${e.stdout}`;
      throw e;
    }
  });
  assert.match(out, /TS2322/);
});

test('the types check without DOM or Node types (lib es2022, types [])', () => {
  checkSamples(path.join(process.cwd(), 'types-check-bare'), []);
});
