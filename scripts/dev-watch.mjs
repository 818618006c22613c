// `make dev`'s rebuilder: when a file under worker/src or core/src, or a Cargo manifest,
// changes, runs scripts/build-worker.sh (which rebuilds only when the contents changed) once
// the changes settle; a change during a build starts another one after it. wrangler dev then
// reloads the worker because worker/build changed, and only then.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SETTLE_MS = 300;
let timer = null;
let building = false;
let again = false;

function build() {
  if (building) {
    again = true;
    return;
  }
  building = true;
  const child = spawn('bash', ['scripts/build-worker.sh'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SSF_SKIP_SETUP: '1' },
  });
  child.on('exit', (code) => {
    building = false;
    if (code !== 0) console.error(`[dev-watch] worker build failed (exit ${code}); still serving the last good build`);
    if (again) {
      again = false;
      build();
    }
  });
}

function changed() {
  clearTimeout(timer);
  timer = setTimeout(build, SETTLE_MS);
}

for (const dir of ['worker/src', 'core/src']) fs.watch(path.join(root, dir), { recursive: true }, changed);
for (const file of ['Cargo.toml', 'Cargo.lock', 'worker/Cargo.toml', 'core/Cargo.toml']) fs.watch(path.join(root, file), changed);
