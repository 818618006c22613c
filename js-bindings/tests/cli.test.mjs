// The command line (`npx shared-signals ...`) and the README's Node push receiver, run as
// written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { signSet, generateKey } from 'shared-signals';
import { claims, forge, header, keyPair, NOW, ISS, AUD, cli } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('shared-signals/package.json'));
const bin = path.join(process.cwd(), 'node_modules', '.bin', 'shared-signals');


const key = keyPair('ES256', { kid: 'cli' });
const token = forge(header(key), claims(), key);
const tmp = fs.mkdtempSync(path.join(process.cwd(), 'cli-'));
const jwksFile = path.join(tmp, 'jwks.json');
fs.writeFileSync(jwksFile, JSON.stringify(key.jwks));

test('npx shared-signals decode explains a token (argument or stdin, text or JSON)', async () => {
  const a = await cli(['decode', token]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /Session Revoked \(caep\)/);
  assert.match(a.stdout, /subject +\{"format":"email"/);
  const b = await cli(['decode', '--json'], `${token}\n`);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(JSON.parse(b.stdout).claims, claims());
  const bad = await cli(['decode', 'not-a-token']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /malformed_jws/);
});

test('npx shared-signals verify --jwks <file|url> gives a verdict and an exit status', async () => {
  const ok = await cli(['verify', token, '--jwks', jwksFile, '--issuer', ISS, '--audience', AUD, '--now', String(NOW)]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^valid/);
  const server = createServer((req, res) => res.end(JSON.stringify(key.jwks))).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${server.address().port}/jwks.json`;
    const viaUrl = await cli(['verify', token, '--jwks', url, '--now', String(NOW), '--json']);
    assert.equal(viaUrl.code, 0, viaUrl.stderr);
    assert.equal(JSON.parse(viaUrl.stdout).valid, true);
  } finally {
    server.close();
  }
  const wrongIss = await cli(['verify', token, '--jwks', jwksFile, '--issuer', 'https://evil.example/', '--now', String(NOW), '--json']);
  assert.equal(wrongIss.code, 1);
  assert.deepEqual(
    (({ valid, code, reason }) => ({ valid, code, reason }))(JSON.parse(wrongIss.stdout)),
    { valid: false, code: 'invalid_issuer', reason: 'wrong_issuer' },
  );
  const usage = await cli(['verify', token]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--jwks/);
});

test('npx shared-signals sign --key <jwk> signs claims; keygen and catalog work', async () => {
  const kg = await cli(['keygen', 'ES256']);
  assert.equal(kg.code, 0, kg.stderr);
  const pair = JSON.parse(kg.stdout);
  const keyFile = path.join(tmp, 'key.json');
  fs.writeFileSync(keyFile, JSON.stringify(pair.privateJwk));
  const claimsFile = path.join(tmp, 'claims.json');
  fs.writeFileSync(claimsFile, JSON.stringify(claims()));
  const signed = await cli(['sign', '--key', keyFile, claimsFile]);
  assert.equal(signed.code, 0, signed.stderr);
  const out = signed.stdout.trim();
  const pubFile = path.join(tmp, 'pub.json');
  fs.writeFileSync(pubFile, JSON.stringify({ keys: [pair.publicJwk] }));
  const v = await cli(['verify', '--jwks', pubFile, '--now', String(NOW), '--json'], out);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const fromStdin = await cli(['sign', '--key', JSON.stringify(pair.privateJwk)], JSON.stringify(claims({ sub: 'x' })));
  assert.equal(fromStdin.code, 1);
  assert.match(fromStdin.stderr, /sub_present/);
  const cat = await cli(['catalog']);
  assert.equal(cat.code, 0);
  assert.match(cat.stdout, /session-revoked/);
  const help = await cli(['--help']);
  assert.match(help.stdout, /usage: shared-signals/);
});

test('key formats chain: keygen > key.json, then sign --key key.json and verify --jwks key.json', async () => {
  const kg = await cli(['keygen', 'ES256']);
  assert.equal(kg.code, 0, kg.stderr);
  const pairFile = path.join(tmp, 'pair.json');
  fs.writeFileSync(pairFile, kg.stdout);
  const pair = JSON.parse(kg.stdout);
  const claimsFile = path.join(tmp, 'chain-claims.json');
  fs.writeFileSync(claimsFile, JSON.stringify(claims()));
  // Every form of the private key signs; every form of either key verifies.
  const forms = {
    pair: kg.stdout,
    private: JSON.stringify(pair.privateJwk),
    public: JSON.stringify(pair.publicJwk),
    set: JSON.stringify({ keys: [pair.publicJwk] }),
    privateSet: JSON.stringify({ keys: [pair.privateJwk] }),
  };
  const files = {};
  for (const [name, text] of Object.entries(forms)) {
    files[name] = path.join(tmp, `chain-${name}.json`);
    fs.writeFileSync(files[name], text);
  }
  for (const name of ['pair', 'private', 'privateSet']) {
    const signed = await cli(['sign', '--key', files[name], claimsFile]);
    assert.equal(signed.code, 0, `sign --key ${name}: ${signed.stderr}`);
    for (const jwksName of Object.keys(forms)) {
      const v = await cli(['verify', '--jwks', files[jwksName], '--issuer', ISS, '--audience', AUD, '--now', String(NOW)], signed.stdout);
      assert.equal(v.code, 0, `sign with ${name}, verify with ${jwksName}: ${v.stdout}${v.stderr}`);
      assert.match(v.stdout, /^valid\n/);
    }
  }
  const pub = await cli(['sign', '--key', files.public, claimsFile]);
  assert.equal(pub.code, 2);
  assert.match(pub.stderr, /no private key \(a public key cannot sign\)/);
  const other = await cli(['verify', '--jwks', files.pair, '--now', String(NOW)], token);
  assert.equal(other.code, 1, 'a token of another key does not verify');
  assert.match(other.stdout, /invalid_key/);
});

test('verify says which of issuer and audience it did not check', async () => {
  const none = await cli(['verify', token, '--jwks', jwksFile, '--now', String(NOW)]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /^valid, but issuer and audience not checked \(give --issuer and --audience\)/);
  const aud = await cli(['verify', token, '--jwks', jwksFile, '--issuer', ISS, '--now', String(NOW)]);
  assert.match(aud.stdout, /^valid, but audience not checked \(give --audience\)/);
  const json = await cli(['verify', token, '--jwks', jwksFile, '--audience', AUD, '--now', String(NOW), '--json']);
  assert.deepEqual(JSON.parse(json.stdout).unchecked, ['issuer']);
  const both = await cli(['verify', token, '--jwks', jwksFile, '--issuer', ISS, '--audience', AUD, '--now', String(NOW), '--json']);
  assert.deepEqual(JSON.parse(both.stdout).unchecked, []);
});

test('verify --jwks <SSF issuer | discovery URL>: keys through discovery, bound to that issuer', async () => {
  let origin;
  const server = createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (p === '/.well-known/ssf-configuration') res.end(JSON.stringify({ spec_version: '1_0', issuer: origin, jwks_uri: `${origin}/keys` }));
    else if (p === '/keys') res.end(JSON.stringify(key.jwks));
    else res.writeHead(404).end('{}');
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${server.address().port}`;
  try {
    const own = forge(header(key), claims({ iss: origin }), key);
    for (const url of [origin, `${origin}/.well-known/ssf-configuration`]) {
      const ok = await cli(['verify', own, '--jwks', url, '--audience', AUD, '--now', String(NOW)]);
      assert.equal(ok.code, 0, `${url}: ${ok.stdout}${ok.stderr}`);
      assert.match(ok.stdout, new RegExp(`checked  issuer ${origin} \\(from the discovery document\\)`));
    }
    // The same key signing for another issuer: the discovered issuer's keys do not vouch for it.
    const foreign = await cli(['verify', token, '--jwks', origin, '--now', String(NOW), '--json']);
    assert.equal(foreign.code, 1, foreign.stdout);
    assert.equal(JSON.parse(foreign.stdout).code, 'invalid_issuer');
  } finally {
    server.close();
  }
});

test('network errors name the URL and the cause; --version prints the version', async () => {
  const dead = createServer().listen(0, '127.0.0.1');
  await once(dead, 'listening');
  const url = `http://127.0.0.1:${dead.address().port}/jwks.json`;
  dead.close();
  await once(dead, 'close');
  const r = await cli(['verify', token, '--jwks', url]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`GET ${url} failed: ECONNREFUSED`), r.stderr);
  const v = await cli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version);
});

test("the README's install line names the tarball the build packs (the package is not on the registry)", () => {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const line = readme.match(/```sh\n(npm install [^\n]*)\n```/)[1];
  assert.ok(line.includes(`./${path.basename(process.env.SSF_TARBALL)}`), `${line} installs ${path.basename(process.env.SSF_TARBALL)}`);
  assert.doesNotMatch(readme, /^npm install shared-signals$/m);
});

test("the README's Node push receiver works as written", async () => {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const section = readme.match(/## Receive pushed SETs in Node[\s\S]*?```js\n([\s\S]*?)```/);
  const block = section[1];
  // Saved under the name the README gives, in a project made by `npm init -y` (CommonJS).
  const fileName = section[0].match(/Save it as `([^`]+)`/)[1];
  const project = fs.mkdtempSync(path.join(tmp, 'npm-init-'));
  await new Promise((resolve, reject) => execFile('npm', ['init', '-y'], { cwd: project }, (e) => (e ? reject(e) : resolve())));
  assert.notEqual(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).type, 'module');
  assert.ok(block.trim().split('\n').length < 15, 'under fifteen lines');
  const k = generateKey('ES256');
  const jwksServer = createServer((req, res) => res.end(JSON.stringify({ keys: [k.publicJwk] }))).listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  const jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
  const port = 20000 + (process.pid % 20000);
  const script = path.join(project, fileName);
  const source = block.replace('https://idp.example.com/jwks.json', jwksUrl).replace('.listen(8080)', `.listen(${port})`);
  assert.notEqual(source, block);
  fs.writeFileSync(script, source);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logged = '';
  child.stdout.on('data', (d) => (logged += d));
  child.stderr.on('data', (d) => (logged += d));
  try {
    const post = async (body) => {
      for (let i = 0; ; i++) {
        try {
          return await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body });
        } catch (e) {
          if (i > 100) throw new Error(`receiver did not start: ${logged}`, { cause: e });
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const set = signSet(claims({ iat: Math.floor(Date.now() / 1000) }), { jwk: k.privateJwk });
    const accepted = await post(set);
    assert.equal(accepted.status, 202, logged);
    const refused = await post(signSet(claims({ iss: 'https://evil.example/', iat: Math.floor(Date.now() / 1000) }), { jwk: k.privateJwk }));
    assert.equal(refused.status, 400);
    assert.deepEqual(Object.keys(await refused.json()), ['err', 'description']);
    const garbage = await post('garbage');
    assert.equal(garbage.status, 400);
    assert.equal((await garbage.json()).err, 'invalid_request');
    assert.match(logged, /Session Revoked/);
  } finally {
    child.kill();
    jwksServer.close();
  }
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));
