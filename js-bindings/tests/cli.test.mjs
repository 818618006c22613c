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
import { claims, forge, header, keyPair, NOW, ISS, AUD } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('shared-signals/package.json'));
const bin = path.join(process.cwd(), 'node_modules', '.bin', 'shared-signals');

async function cli(args, input) {
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

test("the README's Node push receiver works as written", async () => {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const block = readme.match(/## Receive pushed SETs in Node[\s\S]*?```js\n([\s\S]*?)```/)[1];
  assert.ok(block.trim().split('\n').length < 15, 'under fifteen lines');
  const k = generateKey('ES256');
  const jwksServer = createServer((req, res) => res.end(JSON.stringify({ keys: [k.publicJwk] }))).listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  const jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
  const port = 20000 + (process.pid % 20000);
  const script = path.join(tmp, 'receiver.mjs');
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
