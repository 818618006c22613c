// The inspector's Rules select: every profile core defines, with one line per rule, and an
// Okta-shaped SET explained under the okta profile (no error) and under ssf (sub_id_missing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, startStatic, launch, openPage, paste } from './harness.mjs';

const require = createRequire(import.meta.url);
const ss = require(path.join(ROOT, 'js-bindings', 'pkg', 'dist', 'node.cjs'));
const SETS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/vectors/transmitters.json'), 'utf8')).sets;

let site;
let browser;
before(async () => {
  site = await startStatic();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.server.close();
});

const codes = (page) => page.$$eval('[data-testid="issues"] li.issue', (els) => els.map((e) => `${e.dataset.severity}:${e.dataset.code}`));

test('the Rules select lists every profile of core, and says what each changes', async () => {
  const { page, errors } = await openPage(browser, `${site.url}/`);
  await page.waitForFunction(() => document.getElementById('profile-rules').children.length > 0);
  const values = await page.$$eval('#profile option', (os) => os.map((o) => o.value));
  assert.deepEqual(values, ss.profiles().map((p) => p.name));
  for (const p of ss.profiles()) {
    await page.selectOption('#profile', p.name);
    const lines = await page.$$eval('#profile-rules li', (ls) => ls.map((l) => l.textContent));
    if (p.rules.length === 0) assert.deepEqual(lines, [p.summary]);
    else assert.deepEqual(lines, p.rules.map((r) => `${r.relaxes ? 'relaxes' : 'adds'}: ${r.summary}`), p.name);
  }
  assert.deepEqual(errors, []);
});

test('an Okta session-revoked is explained without error under okta, and refused under ssf', async () => {
  const v = SETS.find((x) => x.name === 'okta-session-revoked');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'okta-test-key' };
  const token = ss.signSet(v.claims, { jwk, profile: 'okta' });
  const { page } = await openPage(browser, `${site.url}/`);
  await page.selectOption('#profile', 'okta');
  await paste(page, token);
  let found = await codes(page);
  assert.ok(!found.some((c) => c.startsWith('error:')), found.join());
  assert.ok(found.includes('warning:legacy_nested_subject'), found.join());
  assert.ok(found.includes('warning:event_timestamp_milliseconds'), found.join());
  // The time is shown as the date it stands for, read as milliseconds.
  const shown = await page.locator('time').allInnerTexts();
  assert.ok(shown.some((t) => t.startsWith('2025-12-01')), shown.join(' | '));
  await page.selectOption('#profile', 'ssf');
  await page.waitForSelector('[data-testid="issues"] li.issue[data-severity="error"][data-code="sub_id_missing"]', { timeout: 5000 });
  found = await codes(page);
  assert.ok(found.includes('error:sub_id_missing'), found.join());
});
