// Writes the seed corpus of every fuzz target (fuzz/seeds/<target>/) from the shared test
// vectors and specification examples. Run from anywhere:
//   node fuzz/seeds/generate.mjs [path/to/shared]   (default: ../shared beside the checkout)
// The output is committed; rerun this when the vectors change. Deterministic: fixed keys,
// no randomness, names from the inputs.
import { createHash, createECDH, createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared'));
const vectors = join(shared, 'vectors');
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const dir = (sub) => readdirSync(join(vectors, sub)).filter((f) => f.endsWith('.json')).sort();
const vec = (sub, f) => readJson(join(vectors, sub, f));

const seeds = {}; // target -> Map(name -> Buffer)
const put = (target, name, data) => {
  (seeds[target] ??= new Map()).set(name, Buffer.isBuffer(data) ? data : Buffer.from(data));
};
const json = (v) => JSON.stringify(v);
const withByte = (b, text) => Buffer.concat([Buffer.from([b]), Buffer.from(text)]);

// ---- tokens: jws, decode_verify, base64url ----------------------------------------------
const tokens = [];
for (const sub of ['signed', 'jws', 'unsecured', 'decode-only']) {
  for (const f of dir(sub)) {
    const v = vec(sub, f);
    if (typeof v.token === 'string') tokens.push([f.replace(/\.json$/, ''), v.token]);
  }
}
const specExamples = readJson(join(shared, 'spec', 'spec-examples.json'));
specExamples.compact_sets.forEach((s, i) => tokens.push([`spec-compact-${i}`, s.compact]));
for (const [name, token] of tokens) {
  put('jws', name, token);
  put('decode_verify', name, token);
}
// A whitespace-wrapped token (the HTTP body form) and a JWE-like five-segment one.
put('decode_verify', 'trailing-newline', `${tokens[0][1]}\n`);
put('jws', 'five-segments', `${tokens[0][1]}.e30.e30`);
for (const [name, token] of tokens.slice(0, 2)) {
  token.split('.').forEach((seg, i) => seg && put('base64url', `${name}-${i}`, seg));
}
put('base64url', 'tails', 'QQ'); // one trailing byte
put('base64url', 'padded', 'QQ==');

// ---- JSON: claim sets and messages, plus the reader's stricter rules ---------------------
const claimSets = [];
for (const f of dir('spec-examples')) {
  const v = vec('spec-examples', f);
  if (v.kind === 'set_claims' && v.value?.events) claimSets.push([f.replace(/\.json$/, ''), v.value]);
}
for (const [name, v] of claimSets.slice(0, 4)) put('json', name, JSON.stringify(v, null, 2));
put('json', 'duplicate-member', '{"a":1,"b":{"c":2,"c":3}}');
put('json', 'deep', '['.repeat(33) + ']'.repeat(33));
put('json', 'long-number', `[1${'0'.repeat(40)}, 1e308, 1e309, -0.0e-5]`);
put('json', 'escapes', '{"s":"\\u00e9\\ud83d\\ude00\\n\\/\\"","t":[true,false,null]}');

// ---- sign_verify: claim sets (byte 0: 0 SSF, 1 CAEP interop, 2 RFC 8417) ------------------
claimSets.slice(0, 6).forEach(([name, v], i) => put('sign_verify', name, withByte(i % 3, json(v))));
for (const f of dir('signed').concat(dir('unsecured'))) {
  const sub = dir('signed').includes(f) ? 'signed' : 'unsecured';
  const v = vec(sub, f);
  if (v.claims) put('sign_verify', f.replace(/\.json$/, ''), withByte(2, json(v.claims)));
}

// ---- events: "\xff" + event URI + "\n" + payload ----------------------------------------
const seenUris = new Set();
for (const [, v] of claimSets) {
  for (const [uri, payload] of Object.entries(v.events)) {
    if (seenUris.has(uri) || seenUris.size >= 14) continue;
    seenUris.add(uri);
    const name = uri.split('/').slice(-3).join('-').replace(/[^A-Za-z0-9-]/g, '_');
    put('events', name, withByte(0xff, `${uri}\n${json(payload)}`));
  }
}
// A legacy in-event subject and a legacy alias URI, by selector.
put('events', 'legacy-subject', withByte(0xff,
  'https://schemas.openid.net/secevent/risc/event-type/account-disabled\n' +
  '{"subject":{"subject_type":"email","email":"a@example.com"},"reason":"hijacking"}'));

// ---- subject: identifiers, and pairs for the symmetric comparisons ----------------------
const subjects = [];
for (const e of specExamples.examples) {
  const v = e.json;
  if (!v || typeof v !== 'object') continue;
  if (typeof v.format === 'string') subjects.push(v);
  else if (v.sub_id) subjects.push(v.sub_id);
}
subjects.slice(0, 8).forEach((s, i) => put('subject', `spec-${i}`, json(s)));
if (subjects.length >= 2) put('subject', 'pair', json([subjects[0], subjects[1]]));
put('subject', 'pair-complex', json([
  { format: 'complex', user: { format: 'email', email: 'a@example.com' } },
  { format: 'aliases', identifiers: [{ format: 'email', email: 'a@example.com' }, { format: 'opaque', id: 'x' }] },
]));
put('subject', 'ip', '"2001:db8::1"');

// ---- jwk: sets and single keys ----------------------------------------------------------
for (const sub of ['signed', 'jws']) {
  for (const f of dir(sub)) {
    const v = vec(sub, f);
    if (!v.jwks) continue;
    const name = f.replace(/\.json$/, '');
    put('jwk', `${name}-set`, json(v.jwks));
    if (sub === 'jws') put('jwk', `${name}-key`, json(v.jwks.keys[0]));
  }
}

// ---- keyfile: PEM and DER in every supported form, and private JWKs ---------------------
const ecKey = (curve, crv, seed) => {
  const ecdh = createECDH(curve);
  const size = crv === 'P-256' ? 32 : 48;
  const d = createHash('sha512').update(seed).digest().subarray(0, size);
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  const b64 = (b) => b.toString('base64url');
  return createPrivateKey({
    format: 'jwk',
    key: { kty: 'EC', crv, d: b64(d), x: b64(pub.subarray(1, 1 + size)), y: b64(pub.subarray(1 + size)) },
  });
};
const keys = {
  p256: ecKey('prime256v1', 'P-256', 'ssf fuzz seed P-256'),
  p384: ecKey('secp384r1', 'P-384', 'ssf fuzz seed P-384'),
  // RFC 8037 appendix A.1.
  ed25519: createPrivateKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  }),
  // The throwaway key of the i2goSignals golden vector.
  rsa: createPrivateKey(vec('signed', 'i2goSignals_rs256_risc_account_disabled_golden.json').private_key_pem_pkcs1),
};
for (const [name, key] of Object.entries(keys)) {
  put('keyfile', `${name}-pkcs8.pem`, key.export({ type: 'pkcs8', format: 'pem' }));
  put('keyfile', `${name}-pkcs8.der`, key.export({ type: 'pkcs8', format: 'der' }));
  put('keyfile', `${name}.jwk`, json(key.export({ format: 'jwk' })));
  if (name === 'p256' || name === 'p384') {
    put('keyfile', `${name}-sec1.pem`, key.export({ type: 'sec1', format: 'pem' }));
    put('keyfile', `${name}-sec1.der`, key.export({ type: 'sec1', format: 'der' }));
  }
  if (name === 'rsa') {
    put('keyfile', 'rsa-pkcs1.pem', key.export({ type: 'pkcs1', format: 'pem' }));
    put('keyfile', 'rsa-pkcs1.der', key.export({ type: 'pkcs1', format: 'der' }));
  }
}

// ---- decode_verify: SETs the target's key set verifies (the fuzz Ed25519 key, `kid`
// fuzz-ed25519, as in fuzz/src/lib.rs), so that the verify-accepts path starts covered.
const b64u = (text) => Buffer.from(text).toString('base64url');
claimSets.filter(([, v]) => v.sub_id).slice(0, 3).forEach(([name, v]) => {
  const input = `${b64u(json({ alg: 'EdDSA', kid: 'fuzz-ed25519', typ: 'secevent+jwt' }))}.${b64u(json(v))}`;
  const signature = sign(null, Buffer.from(input), keys.ed25519).toString('base64url');
  put('decode_verify', `ed25519-${name}`, `${input}.${signature}`);
});

// ---- wire: byte 0 is the message type (WIRE_KINDS in fuzz/src/lib.rs) ---------------------
const KIND = {
  create_stream: 0, update_stream: 1, stream_config: 2, stream_list: 3, stream_status: 4,
  add_subject: 5, remove_subject: 6, verification: 7, poll_request: 8, poll_response: 9,
  push_error: 10, problem_details: 11, transmitter_meta: 12,
};
const fixture = (f) => vec('ssf-json-fixtures', `${f}.json`).value;
const wire = (kind, name, v) => put('wire', name, withByte(KIND[kind], json(v)));
// The go-ssf fixtures predate some required members; the seeds add them, so that each
// starts on the accepting path.
const push = fixture('stream_config_push');
const withMembers = (v, extra) => ({ ...extra, ...v });
const config = (f) => withMembers(fixture(f), { events_delivered: [] });
for (const f of ['stream_config_push', 'stream_config_poll', 'stream_config_unknown_delivery']) {
  wire('stream_config', f, config(f));
}
wire('stream_list', 'stream_list', [config('stream_config_push'), config('stream_config_poll')]);
const withStream = (f) => withMembers(fixture(f), { stream_id: push.stream_id });
wire('create_stream', 'create_stream', {
  delivery: push.delivery, events_requested: push.events_requested, description: 'fuzz',
});
wire('create_stream', 'create_stream_empty', {});
wire('update_stream', 'update_stream', {
  stream_id: push.stream_id, iss: push.iss,
  events_requested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
});
wire('update_stream', 'replace_stream_poll', { stream_id: push.stream_id, delivery: { method: 'urn:ietf:rfc:8936' } });
for (const f of ['status_response', 'status_response_per_subject', 'status_update_request']) wire('stream_status', f, withStream(f));
for (const f of ['add_subject_request_account', 'add_subject_request_email']) wire('add_subject', f, withStream(f));
wire('remove_subject', 'remove_subject_request', withStream('remove_subject_request'));
wire('verification', 'verification_request', withStream('verification_request'));
wire('poll_request', 'poll_request', fixture('poll_request'));
wire('poll_response', 'poll_response', fixture('poll_response'));
wire('push_error', 'push_error', { err: 'invalid_key', description: 'Key ID 12345 has been revoked.' });
wire('problem_details', 'problem_details', fixture('problem_details'));
for (const f of ['transmitter_config_full', 'transmitter_config_minimal']) wire('transmitter_meta', f, fixture(f));

// ---- write --------------------------------------------------------------------------------
let total = 0;
for (const [target, files] of Object.entries(seeds).sort()) {
  const out = join(here, target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const [name, data] of files) writeFileSync(join(out, name), data);
  total += files.size;
  console.log(`${target}: ${files.size}`);
}
console.log(`${total} seed files`);
