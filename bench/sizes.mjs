// Sizes (raw and gzip -9): the npm package tarball and its wasm, the worker's wasm, what a
// browser loads for the inspector, and jose's package for comparison. Writes JSON to argv[2].
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const file = (p) => {
  if (!existsSync(p)) return null;
  const b = readFileSync(p);
  return { raw: b.length, gzip: gz(b) };
};
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
const packed = (dir) => {
  // `npm pack --dry-run` of a local directory: the tarball size npm would publish.
  const out = execFileSync('npm', ['pack', dir, '--dry-run', '--json', '--loglevel=error'], { cwd: os.tmpdir(), encoding: 'utf8' });
  const j = JSON.parse(out)[0];
  return { tarball: j.size, unpacked: j.unpackedSize, files: j.entryCount, version: j.version };
};

const out = {};
const pkg = path.join(ROOT, 'js-bindings/pkg');
if (existsSync(path.join(pkg, 'package.json'))) {
  out.npm = packed(pkg);
  const wasm = readdirSync(path.join(pkg, 'dist')).find((f) => f.endsWith('.wasm'));
  out.npm_wasm = wasm ? file(path.join(pkg, 'dist', wasm)) : null;
}
out.worker_wasm = file(path.join(ROOT, 'worker/build/index_bg.wasm'));
out.worker_js = file(path.join(ROOT, 'worker/build/index.js'));
const www = path.join(ROOT, 'www/dist');
if (existsSync(www)) {
  // What a browser transfers for the inspector page: every served file (not _headers).
  const files = walk(www).filter((f) => !/(^|\/)(_headers|README\.md)$/.test(f));
  out.inspector = files.reduce((a, f) => {
    const s = file(f);
    return { raw: a.raw + s.raw, gzip: a.gzip + s.gzip, files: a.files + 1 };
  }, { raw: 0, gzip: 0, files: 0 });
}
const jose = path.join(ROOT, 'node_modules/jose');
if (existsSync(jose)) {
  out.jose = packed(jose);
  // jose's browser bundle surface: the webapi build a bundler would pull in whole.
  const dist = path.join(jose, 'dist/webapi');
  if (existsSync(dist)) {
    const files = walk(dist).filter((f) => f.endsWith('.js'));
    const all = Buffer.concat(files.map((f) => readFileSync(f)));
    out.jose_webapi_js = { raw: all.length, gzip: gz(all), files: files.length };
  }
}
for (const [k, v] of Object.entries(out)) console.log(`[sizes] ${k}: ${JSON.stringify(v)}`);
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
